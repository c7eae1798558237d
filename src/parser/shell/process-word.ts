import { EnvLookup, type ShellEnv } from "./env";
import { ShellLexer } from "./lexer";
import { resolveShellOptions, type ShellOptions } from "./options";

/** The outcome of expanding one word, with the variables it referenced. */
export interface ProcessWordResult {
  /** The expanded text, quotes removed, whitespace kept (ProcessWord). */
  readonly result: string;
  /** The expanded text split into words (ProcessWords). */
  readonly words: string[];
  /** Referenced variables that were set (even to ""). */
  readonly matched: Set<string>;
  /** Referenced variables that were not set. */
  readonly unmatched: Set<string>;
}

/**
 * Expands quotes, escapes and `$` references in `text` as one word, like BuildKit's
 * ProcessWord (whitespace, even from variables, stays in the word).
 * @throws ShellExpansionError on a malformed expansion or `${VAR?}` with VAR unset.
 */
export function processWord(text: string, env: ShellEnv, opts?: ShellOptions): string {
  return expand(text, env, opts, false).result;
}

/**
 * Expands `text` and splits it into words, like BuildKit's ProcessWords: unquoted whitespace,
 * including whitespace inside an unquoted `$var`'s value, separates words; empty words vanish.
 * @throws ShellExpansionError
 */
export function processWords(text: string, env: ShellEnv, opts?: ShellOptions): string[] {
  return expand(text, env, opts, true).words;
}

/**
 * Expands `text` and reports which variables it referenced, set or not, so the planner knows
 * which build args an instruction consumed.
 * @throws ShellExpansionError
 */
export function processWordWithMatches(text: string, env: ShellEnv, opts?: ShellOptions): ProcessWordResult {
  return expand(text, env, opts, true);
}

function expand(
  text: string,
  env: ShellEnv,
  opts: ShellOptions | undefined,
  splitWords: boolean,
): ProcessWordResult {
  const resolved = resolveShellOptions(opts);
  const lookup = new EnvLookup(env, resolved.caseInsensitiveNames);
  const { result, words } = new ShellLexer(text, lookup, resolved).run(splitWords);
  return { result, words, matched: lookup.matched, unmatched: lookup.unmatched };
}
