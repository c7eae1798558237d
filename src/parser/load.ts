import type { DockerfileAst } from "./ast";
import { parseInstructions, type Instruction } from "./instruction";
import { ParseContext } from "./instructions/context";
import { lint, lintFailure, parseCheckDirective, type CheckOptions, type LintWarning } from "./lint";
import { parse } from "./parse";
import { groupStages, type StagedInstructions } from "./stages";

/** A Dockerfile read, typed, split into stages and linted. */
export interface Dockerfile extends StagedInstructions {
  ast: DockerfileAst;
  instructions: Instruction[];
  warnings: LintWarning[];
  /** The `# check=` directive: rules skipped, experimental rules asked for, error=true. */
  checks: CheckOptions;
}

export interface LoadOptions {
  /** Display name for errors (default "Dockerfile"). */
  file?: string;
  /** Return warnings even with `# check=error=true` (`--check` reports them all, then fails). */
  lintErrorsAsWarnings?: boolean;
}

/**
 * Parses Dockerfile text all the way to typed stages. Throws DockerfileError for anything the
 * build could not run (syntax, unknown instruction or flag, bad value, instruction before FROM,
 * and lint warnings when `# check=error=true`); other lint findings are returned as warnings.
 */
export function loadDockerfile(text: string, opts: LoadOptions = {}): Dockerfile {
  const ast = parse(text, { file: opts.file ?? "Dockerfile" });
  return analyzeDockerfile(ast, opts);
}

/** The same for an AST already parsed. */
export function analyzeDockerfile(
  ast: DockerfileAst,
  opts: Pick<LoadOptions, "lintErrorsAsWarnings"> = {},
): Dockerfile {
  const ctx = new ParseContext(ast.file, ast.lines);
  const checks = parseCheckDirective(
    ctx,
    ast.directives.find((d) => d.name === "check"),
  );
  const instructions = parseInstructions(ast);
  const staged = groupStages(ctx, instructions);
  const warnings = lint({ ast, instructions, ...staged }, checks);
  if (checks.error && warnings.length > 0 && opts.lintErrorsAsWarnings !== true)
    throw lintFailure(ctx, warnings);
  return { ast, instructions, ...staged, warnings, checks };
}
