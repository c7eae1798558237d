import { ShellExpansionError } from "./errors";

/** How a word is expanded; the fields follow BuildKit's shell.Lex options. */
export interface ShellOptions {
  /** The Dockerfile's escape character (the `# escape=` directive). Default `\`. */
  escapeToken?: "\\" | "`";
  /** Keep `$VAR`, `${VAR}` and `${VAR...}` literally when VAR is unset, instead of expanding. */
  skipUnsetEnv?: boolean;
  /** Keep the quote characters in the result (the quoted text is still not expanded/split). */
  rawQuotes?: boolean;
  /** Keep escape characters in the result (the escaped character is still taken literally). */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters. */
  skipProcessQuotes?: boolean;
  /** Look variable names up ignoring case, as BuildKit does on Windows. */
  caseInsensitiveNames?: boolean;
  /**
   * How much longer than its input an expanded word may get, in UTF-16 code units (default
   * MAX_EXPANDED_LENGTH): a longer result fails at the construct that made it so, instead of
   * exhausting memory.
   */
  maxLength?: number;
  /** Pattern-matching work allowed in one word (default MAX_MATCH_STEPS), see MatchBudget. */
  maxMatchSteps?: number;
}

/**
 * 1 MiB: far above what a Dockerfile needs (Linux refuses an environment string over 128 KiB to
 * exec), far below what hurts. `ARG a=${a}${a}` doubling 40 times would otherwise be 2^40.
 */
export const MAX_EXPANDED_LENGTH = 1 << 20;

/** About a quarter of a second of matching on this project's 2-core machines. */
export const MAX_MATCH_STEPS = 1 << 25;

/** ShellOptions with every field filled in. */
export type ResolvedShellOptions = Required<ShellOptions>;

export function resolveShellOptions(opts: ShellOptions = {}): ResolvedShellOptions {
  // Callers from plain JavaScript can pass anything; only the two Dockerfile escapes make sense.
  if (opts.escapeToken !== undefined && opts.escapeToken !== "\\" && opts.escapeToken !== "`") {
    throw new ShellExpansionError(
      `escape token must be '\\' or '\`', not ${JSON.stringify(opts.escapeToken)}`,
      0,
      0,
    );
  }
  return {
    escapeToken: opts.escapeToken ?? "\\",
    skipUnsetEnv: opts.skipUnsetEnv ?? false,
    rawQuotes: opts.rawQuotes ?? false,
    rawEscapes: opts.rawEscapes ?? false,
    skipProcessQuotes: opts.skipProcessQuotes ?? false,
    caseInsensitiveNames: opts.caseInsensitiveNames ?? false,
    maxLength: positive(opts.maxLength, MAX_EXPANDED_LENGTH, "maxLength"),
    maxMatchSteps: positive(opts.maxMatchSteps, MAX_MATCH_STEPS, "maxMatchSteps"),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0))
    throw new ShellExpansionError(`${name} must be a positive number, not ${String(value)}`, 0, 0);
  return value;
}
