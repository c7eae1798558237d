import type { Word } from "../parser/ast";
import type { ParseContext } from "../parser/instructions/context";
import { subSpan } from "../parser/instructions/context";
import { processWord, processWords, ShellExpansionError, type ShellEnv } from "../parser/shell";
import type { DockerfileError } from "../parser/errors";
import { invalidText } from "./text-check";

/** 64 MiB of expanded text for a whole plan: 64 words at the per-word limit. */
export const MAX_EXPANDED_TOTAL = 64 << 20;

/**
 * Expands Dockerfile words the way Docker does for ADD, COPY, ENV, EXPOSE, FROM, LABEL,
 * STOPSIGNAL, USER, VOLUME, WORKDIR (and flag values that allow build args). A bad `${...}`
 * becomes a DockerfileError pointing at the construct inside the word.
 */
export class Expander {
  /** Characters all expansions of this plan produced so far. */
  private produced = 0;
  /**
   * Told of each plain `$NAME`/`${NAME}` that was not set when expanded (UndefinedVar); names used
   * with a modifier (`${NAME:-x}`) have a fallback and are not reported.
   */
  onUndefined: ((name: string, at: Word) => void) | undefined;

  constructor(
    private readonly ctx: ParseContext,
    private readonly escapeToken: "\\" | "`",
    /** Limit on `produced` (default MAX_EXPANDED_TOTAL). */
    private readonly maxTotal = MAX_EXPANDED_TOTAL,
  ) {}

  word(word: Word, env: ShellEnv): string {
    return this.text(word.value, word, env);
  }

  /** Expands `text` that was written inside `at` (a flag value, a heredoc name, ...). */
  text(text: string, at: Word, env: ShellEnv, offsetInWord = 0): string {
    let out: string;
    const watched = this.watch(text, at, env);
    try {
      out = processWord(text, watched.env, { escapeToken: this.escapeToken });
      watched.report();
    } catch (err) {
      throw this.wrap(err, at, offsetInWord);
    }
    this.count(out.length, at);
    this.check(out, text === out ? at : undefined, offsetInWord, at);
    return out;
  }

  words(word: Word, env: ShellEnv): string[] {
    let out: string[];
    const watched = this.watch(word.value, word, env);
    try {
      out = processWords(word.value, watched.env, { escapeToken: this.escapeToken });
      watched.report();
    } catch (err) {
      throw this.wrap(err, word, 0);
    }
    this.count(
      out.reduce((n, w) => n + w.length, 0),
      word,
    );
    for (const w of out) this.check(w, undefined, 0, word);
    return out;
  }

  /**
   * Refuses a NUL or a lone surrogate in `value` (see invalidText), pointing at the character
   * when `verbatim` (the word's own text, unchanged by expansion), else at the whole word `at`.
   */
  check(value: string, verbatim: Word | undefined, offsetInWord: number, at: Word): void {
    const bad = invalidText(value);
    if (bad === undefined) return;
    const span = verbatim ? subSpan(verbatim, offsetInWord + bad.offset, 1) : at.span;
    const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    throw this.ctx.error(span, `${shown} ${bad.problem}`);
  }

  /**
   * Each word is capped (MAX_EXPANDED_LENGTH), but 100,000 `LABEL x=$big` lines would still make a
   * config of 100 GB: the plan as a whole is capped too.
   */
  private count(length: number, at: Word): void {
    this.produced += length;
    if (this.produced > this.maxTotal) {
      throw this.ctx.error(
        at.span,
        `variable expansion in this Dockerfile produces more than ${this.maxTotal} characters in total (the limit for one build)`,
      );
    }
  }

  /** `env` with unset lookups recorded, and a `report()` to call once expansion succeeded. */
  private watch(text: string, at: Word, env: ShellEnv): { env: ShellEnv; report: () => void } {
    const hook = this.onUndefined;
    if (hook === undefined || !text.includes("$")) return { env, report: () => undefined };
    const find = lookupOf(env);
    const missing = new Set<string>();
    return {
      env: (name) => {
        const value = find(name);
        if (value === undefined) missing.add(name);
        return value;
      },
      report: () => {
        if (missing.size === 0) return;
        for (const name of plainReferences(text, this.escapeToken)) if (missing.has(name)) hook(name, at);
      },
    };
  }

  error(word: Word, problem: string): DockerfileError {
    return this.ctx.error(word.span, problem);
  }

  private wrap(err: unknown, at: Word, offsetInWord: number): unknown {
    if (!(err instanceof ShellExpansionError)) return err;
    return this.ctx.error(subSpan(at, offsetInWord + err.offset, err.length), err.problem);
  }
}

function lookupOf(env: ShellEnv): (name: string) => string | undefined {
  if (typeof env === "function") return env;
  if (env instanceof Map) return (name) => env.get(name);
  // neither a function nor a Map (checked above): the record form of ShellEnv.
  const record = env as Readonly<Record<string, string>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

/** Names referenced as `$NAME` or `${NAME}` (no modifier), in order, each once. */
export function plainReferences(text: string, escapeToken: string): string[] {
  const names = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    if (text[i] === escapeToken) {
      i++;
      continue;
    }
    if (text[i] !== "$") continue;
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i, i + 256));
    if (m) names.add(m[1] ?? m[2]);
  }
  return [...names];
}
