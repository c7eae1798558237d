import type { DockerfileAst } from "./ast";
import { parseInstructions, type Instruction } from "./instruction";
import { ParseContext } from "./instructions/context";
import { lint, lintFailure, parseCheckDirective, type LintWarning } from "./lint";
import { parse } from "./parse";
import { groupStages, type StagedInstructions } from "./stages";

/** A Dockerfile read, typed, split into stages and linted. */
export interface Dockerfile extends StagedInstructions {
  ast: DockerfileAst;
  instructions: Instruction[];
  warnings: LintWarning[];
}

export interface LoadOptions {
  /** Display name for errors (default "Dockerfile"). */
  file?: string;
}

/**
 * Parses Dockerfile text all the way to typed stages. Throws DockerfileError for anything the
 * build could not run (syntax, unknown instruction or flag, bad value, instruction before FROM,
 * and lint warnings when `# check=error=true`); other lint findings are returned as warnings.
 */
export function loadDockerfile(text: string, opts: LoadOptions = {}): Dockerfile {
  const ast = parse(text, { file: opts.file ?? "Dockerfile" });
  return analyzeDockerfile(ast);
}

/** The same for an AST already parsed. */
export function analyzeDockerfile(ast: DockerfileAst): Dockerfile {
  const ctx = new ParseContext(ast.file, ast.lines);
  const checks = parseCheckDirective(
    ctx,
    ast.directives.find((d) => d.name === "check"),
  );
  const instructions = parseInstructions(ast);
  const staged = groupStages(ctx, instructions);
  const warnings = lint({ ast, instructions, ...staged }, checks);
  if (checks.error && warnings.length > 0) throw lintFailure(ctx, warnings);
  return { ast, instructions, ...staged, warnings };
}
