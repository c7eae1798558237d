import { TsbuildError } from "../../errors";

/**
 * A word in a Dockerfile instruction could not be expanded: a bad `${...}` form, an unterminated
 * quote, a bad pattern, or a `${VAR?msg}` whose variable is unset.
 *
 * `offset` and `length` locate the offending construct in the expanded text as UTF-16 code-unit
 * indexes (plain `String` indexes), so the planner can turn them into a line and column.
 */
export class ShellExpansionError extends TsbuildError {
  /** Index in the input where the offending construct starts. */
  readonly offset: number;
  /** Length of the offending construct (at least 1, unless the input is empty). */
  readonly length: number;
  /** The bare problem, e.g. "missing '}' in ${FOO". */
  readonly problem: string;

  constructor(problem: string, offset: number, length = 1) {
    super("SHELL_EXPANSION", `expand word at offset ${offset}: ${problem}`);
    this.problem = problem;
    this.offset = offset;
    this.length = length;
  }
}
