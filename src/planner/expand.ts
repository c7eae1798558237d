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
    try {
      out = processWord(text, env, { escapeToken: this.escapeToken });
    } catch (err) {
      throw this.wrap(err, at, offsetInWord);
    }
    this.count(out.length, at);
    this.check(out, text === out ? at : undefined, offsetInWord, at);
    return out;
  }

  words(word: Word, env: ShellEnv): string[] {
    let out: string[];
    try {
      out = processWords(word.value, env, { escapeToken: this.escapeToken });
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

  error(word: Word, problem: string): DockerfileError {
    return this.ctx.error(word.span, problem);
  }

  private wrap(err: unknown, at: Word, offsetInWord: number): unknown {
    if (!(err instanceof ShellExpansionError)) return err;
    return this.ctx.error(subSpan(at, offsetInWord + err.offset, err.length), err.problem);
  }
}
