import type { Span, Word } from "../ast";
import { DockerfileError } from "../errors";

/**
 * What an instruction parser needs to report a problem: the file's display name and its physical
 * lines, so every DockerfileError carries the source line for its caret rendering.
 */
export class ParseContext {
  constructor(
    readonly file: string,
    readonly lines: readonly string[],
  ) {}

  /** A DockerfileError at `span` (the caller throws it, so control flow stays visible). */
  error(span: Span, problem: string): DockerfileError {
    return new DockerfileError(problem, this.file, span, this.lines[span.start.line - 1]);
  }
}

/**
 * The span of `length` characters starting `offset` characters into a word's value — exact when
 * the word was written on one line without quotes or escapes (its source text is its value),
 * otherwise the whole word, which is still the right place to point at.
 */
export function subSpan(word: Word, offset: number, length: number): Span {
  const { start, end } = word.span;
  const writtenVerbatim = start.line === end.line && end.column - start.column + 1 === word.value.length;
  if (!writtenVerbatim || offset < 0 || offset >= word.value.length) return word.span;
  const first = start.column + offset;
  const last = Math.min(end.column, first + Math.max(1, length) - 1);
  return { start: { line: start.line, column: first }, end: { line: start.line, column: last } };
}
