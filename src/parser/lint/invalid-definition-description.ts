import type { Span } from "../ast";
import type { LintRule } from "./rule";

/**
 * `--call outline|targets` take a stage's or ARG's description from the comment block right above
 * it, when its first word is the name. A comment there that does not start with the name is most
 * likely not meant as a description: BuildKit's (experimental) rule flags it.
 */
export const invalidDefinitionDescription: LintRule = {
  name: "InvalidDefinitionDescription",
  description:
    "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.",
  experimental: true,
  check({ ast, metaArgs, stages }, report) {
    const directiveLines = new Set(ast.directives.map((d) => d.span.start.line));
    const check = (span: Span, what: string, name: string): void => {
      const first = commentAbove(ast.lines, span.start.line, directiveLines);
      if (first === undefined) return;
      if (first.split(/\s+/)[0] !== name) {
        report(span, `Comment for ${what} should follow the format: \`# ${name} <description>\``);
      }
    };
    const args = [...metaArgs, ...stages.flatMap((s) => s.instructions.filter((i) => i.kind === "ARG"))];
    for (const arg of args) {
      if (arg.kind === "ARG" && arg.args.length === 1) check(arg.span, "ARG", arg.args[0].name);
    }
    for (const { from } of stages) {
      if (from.stageName !== undefined) check(from.span, "build stage", from.stageName);
    }
  },
};

/**
 * The first line of the comment block that ends on the line just above `line` (1-based), `#` and
 * white space removed; an empty `#` line ends a block, as it does for BuildKit's descriptions.
 */
export function commentAbove(
  lines: readonly string[],
  line: number,
  skip: ReadonlySet<number> = new Set(),
): string | undefined {
  let first: string | undefined;
  for (let n = line - 1; n >= 1; n--) {
    const text = (lines[n - 1] ?? "").trim();
    if (!text.startsWith("#") || skip.has(n)) break;
    const comment = text.slice(1).trim();
    if (comment === "") break;
    first = comment;
  }
  return first;
}
