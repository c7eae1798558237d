import { TsbuildError } from "../errors";
import type { Span } from "./ast";

/**
 * Any problem with a Dockerfile's text: syntax, an unknown instruction or flag, a bad argument.
 * It always names the file, line and column, and can render the offending source line with a
 * caret under the column, like a compiler does.
 */
export class DockerfileError extends TsbuildError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly span: Span;
  /** The bare problem, without the location prefix that `message` carries. */
  readonly problem: string;
  /** The physical source line the error points at, when known. */
  readonly sourceLine: string | undefined;

  constructor(problem: string, file: string, span: Span, sourceLine?: string, code = "DOCKERFILE") {
    super(code, `${file}:${span.start.line}:${span.start.column}: ${problem}`);
    this.problem = problem;
    this.file = file;
    this.span = span;
    this.line = span.start.line;
    this.column = span.start.column;
    this.sourceLine = sourceLine;
  }

  /** `file:line:col: problem` followed by the source line and a caret (or underline) under it. */
  render(): string {
    const head = this.message;
    if (this.sourceLine === undefined) return head;
    const gutter = `${this.line} | `;
    const pad = " ".repeat(gutter.length - 2) + "| ";
    const width =
      this.span.end.line === this.span.start.line
        ? Math.max(1, this.span.end.column - this.span.start.column + 1)
        : 1;
    const lead = this.sourceLine.slice(0, this.column - 1).replace(/[^\t]/g, " ");
    return `${head}\n${gutter}${this.sourceLine}\n${pad}${lead}${"^".repeat(width)}`;
  }
}
