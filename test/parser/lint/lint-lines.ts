import type { Directive, DockerfileAst, InstructionNode } from "../../../src/parser/ast";
import { parseInstructions } from "../../../src/parser/instruction";
import { ParseContext } from "../../../src/parser/instructions/context";
import { lint, lintFailure, parseCheckDirective, type LintWarning } from "../../../src/parser/lint";
import { groupStages } from "../../../src/parser/stages";
import { buildNode } from "../instructions/build-node";

/**
 * Lints a Dockerfile whose instructions are one per line (blank lines and comments skipped, a
 * leading `# check=...` line read as the directive), through the same steps loadDockerfile takes.
 */
export function lintLines(...lines: string[]): LintWarning[] {
  const directives: Directive[] = [];
  const nodes: InstructionNode[] = [];
  lines.forEach((line, i) => {
    const check = /^#\s*check\s*=\s*(.*)$/.exec(line);
    if (check && nodes.length === 0) {
      const span = { start: { line: i + 1, column: 1 }, end: { line: i + 1, column: line.length } };
      directives.push({ name: "check", value: check[1], span });
    } else if (line.trim() !== "" && !line.trim().startsWith("#")) {
      nodes.push(buildNode(line, i + 1));
    }
  });
  const ast: DockerfileAst = {
    file: "Dockerfile",
    directives,
    escapeToken: "\\",
    instructions: nodes,
    lines,
    span: { start: nodes[0].span.start, end: nodes[nodes.length - 1].span.end },
  };
  const ctx = new ParseContext(ast.file, ast.lines);
  const checks = parseCheckDirective(ctx, directives[0]);
  const instructions = parseInstructions(ast);
  const warnings = lint({ ast, instructions, ...groupStages(ctx, instructions) }, checks);
  if (checks.error && warnings.length > 0) throw lintFailure(ctx, warnings);
  return warnings;
}

/** `Rule@line:col` for compact assertions. */
export function summary(warnings: readonly LintWarning[]): string[] {
  return warnings.map((w) => `${w.rule}@${w.span.start.line}:${w.span.start.column}`);
}
