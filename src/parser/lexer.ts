import moo from "moo";
import type { Directive, Span } from "./ast";
import { type LogicalLine, positionAt, stripContinuation } from "./continuation";
import { isValidEscape, matchDirective } from "./directives";
import { DockerfileError } from "./errors";
import { type HeredocMarker, heredocMarkers, isTerminator } from "./heredoc";
import { allowsHeredocs, type NodeContext } from "./instruction-node";
import { GO_SPACE_CLASS, skipGoSpace } from "./whitespace";

/**
 * The Dockerfile lexer. Tokens are whole physical lines (coarse on purpose: the grammar then does
 * a handful of steps per line, so parsing stays linear and fast). moo classifies each line:
 *
 *   blank    only white space
 *   comment  first non-blank character is `#`
 *   cont     ends with the escape character (continuation), per BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`
 *   line     anything else
 *
 * Two facts depend on context, and this wrapper supplies them: the run of directive lines at the
 * top (re-typed `directive`; `# escape=` switches the moo state for the rest of the file), and
 * heredoc bodies (after a RUN/COPY/ADD line with `<<WORD` markers, lines are re-typed
 * `heredocBody` until `heredocEnd`). It also joins continuation pieces, attaching the logical
 * line to the token that ends it, and emits a zero-width `end` token when the file ends inside
 * a continuation.
 */
export type LineTokenType = "directive" | "blank" | "comment" | "cont" | "line" | "end" | "heredocBody" | "heredocEnd";

export interface LineToken {
  type: LineTokenType;
  /** The line without its line ending (for heredocBody: the raw line, line ending included). */
  value: string;
  /** 1-based physical line number. */
  line: number;
  /** On the `line`/`end` token that completes an instruction. */
  logical?: LogicalLine;
  directive?: Directive;
  /** On `heredocEnd`: the marker this line terminates. */
  heredoc?: HeredocMarker;
  /** The lexer that made the token: the context postprocessors need (file, escape, lines). */
  lexer: DockerfileLexer;
  // moo/nearley bookkeeping
  text: string;
  offset: number;
  col: number;
}

const S = GO_SPACE_CLASS.replace("\\n", "");

function lineRules(escape: "\\" | "`"): moo.Rules {
  const e = escape === "\\" ? "\\\\" : "`";
  return {
    blank: { match: new RegExp(`${S}*\\n|${S}+$`), lineBreaks: true },
    comment: { match: new RegExp(`${S}*#[^\\n]*(?:\\n|$)`), lineBreaks: true },
    cont: { match: new RegExp(`(?:[^\\n]*[^${e}\\n])?${e}[ \\t]*\\r*(?:\\n|$)`), lineBreaks: true },
    line: { match: /[^\n]*[^\r\n]\r*(?:\n|$)/, lineBreaks: true },
  };
}

const lineLexer = moo.states({ backslash: lineRules("\\"), backtick: lineRules("`") }, "backslash");

/** Everything the lexer learned besides the tokens: what parse() reports alongside the instructions. */
export interface LexResult {
  lines: string[];
  directives: Directive[];
  escapeToken: "\\" | "`";
}

function stripLineEnding(text: string): string {
  let end = text.length;
  if (text.charCodeAt(end - 1) === 0x0a) end--;
  while (end > 0 && text.charCodeAt(end - 1) === 0x0d) end--;
  return text.slice(0, end);
}

export class DockerfileLexer implements LexResult, NodeContext {
  readonly lines: string[] = [];
  readonly directives: Directive[] = [];
  escapeToken: "\\" | "`" = "\\";
  // moo lexers are stateful; clone() (missing from its typings) gives each parse its own.
  private readonly moo = (lineLexer as unknown as { clone(): moo.Lexer }).clone();
  private inDirectives = true;
  private logical: LogicalLine | undefined;
  private heredocs: HeredocMarker[] = [];
  private heredocLogical: LogicalLine | undefined;
  private done = false;

  constructor(readonly file: string) {}

  reset(chunk: string): void {
    this.moo.reset(chunk);
    this.moo.setState("backslash");
  }

  save(): Record<string, never> {
    return {};
  }

  has(_type: string): boolean {
    return true;
  }

  formatError(token: unknown, message: string): string {
    const line = (token as Partial<LineToken> | undefined)?.line ?? this.lines.length;
    return `${message} at line ${line}`;
  }

  next(): LineToken | undefined {
    if (this.done) return undefined;
    const raw = this.moo.next();
    if (raw === undefined) return this.finish();
    const lineNo = this.lines.length + 1;
    const value = stripLineEnding(raw.text);
    this.lines.push(value);
    const token: LineToken = { type: raw.type as LineTokenType, value, line: lineNo, lexer: this, text: raw.text, offset: raw.offset, col: 1 };

    if (this.heredocs.length > 0) return this.heredocLine(token, raw.text);
    if (this.inDirectives && this.directiveLine(token)) return token;
    switch (token.type) {
      case "blank":
      case "comment":
        return token;
      case "cont": {
        const first = this.logical === undefined;
        const column = first ? skipGoSpace(value) : 0;
        this.addPiece(stripContinuation(first ? value.slice(column) : value), lineNo, column + 1);
        return token;
      }
      default: {
        const column = this.logical === undefined ? skipGoSpace(value) : 0;
        this.addPiece(value.slice(column), lineNo, column + 1);
        return this.completeLogical(token);
      }
    }
  }

  private addPiece(text: string, line: number, column: number): void {
    if (this.logical === undefined) this.logical = { text: "", pieces: [] };
    this.logical.pieces.push({ offset: this.logical.text.length, line, column });
    this.logical.text += text;
  }

  private completeLogical(token: LineToken): LineToken {
    const logical = this.logical as LogicalLine;
    this.logical = undefined;
    token.logical = logical;
    if (logical.text.includes("<<") && allowsHeredocs(logical.text)) {
      this.heredocs = heredocMarkers(logical.text);
      this.heredocLogical = logical;
    }
    return token;
  }

  private heredocLine(token: LineToken, rawText: string): LineToken {
    const marker = this.heredocs[0];
    if (isTerminator(token.value, marker)) {
      this.heredocs.shift();
      token.type = "heredocEnd";
      token.heredoc = marker;
    } else {
      token.type = "heredocBody";
      token.value = rawText;
    }
    return token;
  }

  /** Handles a line of the directive run; false once the run is over. */
  private directiveLine(token: LineToken): boolean {
    const m = token.type === "comment" ? matchDirective(token.value) : undefined;
    if (m === undefined) {
      this.inDirectives = false;
      return false;
    }
    const span: Span = { start: { line: token.line, column: m.nameColumn }, end: { line: token.line, column: token.value.length } };
    if (this.directives.some((d) => d.name === m.name)) {
      throw new DockerfileError(`only one ${m.name} parser directive can be used`, this.file, span, token.value);
    }
    if (m.name === "escape") {
      if (!isValidEscape(m.value)) {
        const at = { line: token.line, column: m.valueColumn };
        throw new DockerfileError(
          `invalid escape token '${m.value}' does not match \` or \\`,
          this.file,
          { start: at, end: { line: token.line, column: m.valueColumn + m.value.length - 1 } },
          token.value,
        );
      }
      this.escapeToken = m.value as "\\" | "`";
      this.moo.setState(this.escapeToken === "\\" ? "backslash" : "backtick");
    }
    this.directives.push({ name: m.name, value: m.value, span });
    token.type = "directive";
    token.directive = this.directives[this.directives.length - 1];
    return true;
  }

  private finish(): LineToken | undefined {
    this.done = true;
    const last = this.lines.length;
    let ending: LineToken | undefined;
    if (this.logical !== undefined) {
      // The file ended inside a continuation: the instruction simply ends (BuildKit's continue-at-eof).
      ending = this.completeLogical({ type: "end", value: "", line: last, lexer: this, text: "", offset: 0, col: 1 });
    }
    if (this.heredocs.length > 0) {
      const marker = this.heredocs[0];
      const logical = this.heredocLogical as LogicalLine;
      throw new DockerfileError(
        `unterminated heredoc ${marker.name}`,
        this.file,
        { start: positionAt(logical, marker.start), end: positionAt(logical, marker.end - 1) },
        this.lines[positionAt(logical, marker.start).line - 1],
      );
    }
    return ending;
  }
}
