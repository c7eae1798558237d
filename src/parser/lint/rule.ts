import type { DockerfileAst, Span } from "../ast";
import type { Instruction } from "../instruction";
import type { StagedInstructions } from "../stages";

/** A lint finding: never thrown, collected next to the parse result (unless check=error=true). */
export interface LintWarning {
  /** BuildKit's rule name, e.g. "JSONArgsRecommended". */
  rule: string;
  message: string;
  span: Span;
  /** Documentation of the rule. */
  url?: string;
}

/** What a rule may look at: the raw AST, the typed instructions and their stages. */
export interface LintInput extends StagedInstructions {
  ast: DockerfileAst;
  instructions: Instruction[];
}

export type Report = (span: Span, message: string) => void;

export interface LintRule {
  name: string;
  /** One line on what the rule catches (shown by `tsbuild parse` listings and docs). */
  description: string;
  /** Opt-in with `# check=experimental=...` (BuildKit's experimental rules). */
  experimental?: boolean;
  check(input: LintInput, report: Report): void;
}

/** BuildKit's documentation address for a rule: JSONArgsRecommended → .../json-args-recommended/. */
export function ruleUrl(name: string): string {
  const kebab = name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
  return `https://docs.docker.com/go/dockerfile/rule/${kebab}/`;
}
