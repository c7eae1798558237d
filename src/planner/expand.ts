import type { Word } from "../parser/ast";
import type { ParseContext } from "../parser/instructions/context";
import { subSpan } from "../parser/instructions/context";
import { processWord, processWords, ShellExpansionError, type ShellEnv } from "../parser/shell";
import type { DockerfileError } from "../parser/errors";

/**
 * Expands Dockerfile words the way Docker does for ADD, COPY, ENV, EXPOSE, FROM, LABEL,
 * STOPSIGNAL, USER, VOLUME, WORKDIR (and flag values that allow build args). A bad `${...}`
 * becomes a DockerfileError pointing at the construct inside the word.
 */
export class Expander {
  constructor(
    private readonly ctx: ParseContext,
    private readonly escapeToken: "\\" | "`",
  ) {}

  word(word: Word, env: ShellEnv): string {
    return this.text(word.value, word, env);
  }

  /** Expands `text` that was written inside `at` (a flag value, a heredoc name, ...). */
  text(text: string, at: Word, env: ShellEnv, offsetInWord = 0): string {
    try {
      return processWord(text, env, { escapeToken: this.escapeToken });
    } catch (err) {
      throw this.wrap(err, at, offsetInWord);
    }
  }

  words(word: Word, env: ShellEnv): string[] {
    try {
      return processWords(word.value, env, { escapeToken: this.escapeToken });
    } catch (err) {
      throw this.wrap(err, word, 0);
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
