import type { LintRule } from "./rule";

/**
 * A blank line inside a continued instruction is silently skipped today (BuildKit warns it will
 * become an error). Instructions with heredocs are left alone: blank body lines are content.
 */
export const noEmptyContinuation: LintRule = {
  name: "NoEmptyContinuation",
  description: "Empty continuation lines will become errors in a future release",
  check({ ast }, report) {
    for (const node of ast.instructions) {
      if (node.heredocs.length > 0 || (node.child?.heredocs.length ?? 0) > 0) continue;
      for (let line = node.span.start.line + 1; line <= node.span.end.line; line++) {
        const text = ast.lines[line - 1] ?? "";
        if (text.trim() === "") {
          report(
            { start: { line, column: 1 }, end: { line, column: Math.max(1, text.length) } },
            "Empty continuation line",
          );
        }
      }
    }
  },
};
