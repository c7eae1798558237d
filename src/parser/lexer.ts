import moo from "moo";
import type { Directive, Span } from "./ast";
import { type LogicalLine, positionAt, stripContinuation } from "./continuation";
import { isValidEscape, matchDirective } from "./directives";
import { DockerfileError } from "./errors";
import { type HeredocMarker, heredocMarkers, isTerminator } from "./heredoc";
import { allowsHeredocs, type NodeContext } from "./instruction-node";
import { GO_SPACE_CLASS, goTrimSpace, skipGoSpace } from "./whitespace";

/**
 * The Dockerfile lexer, in two layers.
 *
 * moo classifies each physical line (one moo token per line, line ending included):
 *   blank    only white space
 *   comment  first non-blank character is `#`
 *   cont     ends with the escape character (continuation), per BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`
 *   line     anything else
 *
 * DockerfileLexer then groups lines into the coarse tokens the grammar consumes, so the Earley
 * parser does a few steps per instruction rather than per character or per line:
 *   directive    one parser-directive line of the run at the top (`# escape=` switches the moo
 *                state for the rest of the file)
 *   instruction  one logical line: its continuation lines joined, blank and comment lines inside
 *                the continuation skipped (BuildKit's rules); carries the joined LogicalLine and
 *                the comment lines above it (blank and comment lines between instructions are
 *                folded into the next instruction token)
 *   trivia       the blank and comment lines after the last instruction
 *   heredoc      one heredoc body and its terminator line, after a RUN/COPY/ADD instruction
 *                with `<<WORD` markers
 *
 * nearley wraps anything a lexer throws in a plain Error, so a DockerfileError found here is kept
 * in `error`, the token stream ends, and parse() rethrows it.
 */
export type LineTokenType = "directive" | "trivia" | "instruction" | "heredoc";

export interface LineToken {
  type: LineTokenType;
  /** The first physical line of the token, without its line ending. */
  value: string;
  /** 1-based number of the first physical line. */
  line: number;
  /** 1-based number of the last physical line the token consumed. */
  endLine: number;
  /** On `instruction`: the joined logical line. */
  logical?: LogicalLine;
  directive?: Directive;
  /** On `instruction`: the comment lines right above it, `#` and outer white space removed. */
  comments?: string[];
  /** On `heredoc`: its marker and body (each line with its line ending). */
  heredoc?: HeredocMarker;
  content?: string;
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
  // moo compiles with the `m` flag, where `$` also matches before \r, \u2028 and \u2029; a line
  // ends only at \n or at the end of the input.
  const end = "(?:\\n|(?![\\s\\S]))";
  return {
    blank: { match: new RegExp(`${S}*\\n|${S}+(?![\\s\\S])`), lineBreaks: true },
    comment: { match: new RegExp(`${S}*#[^\\n]*${end}`), lineBreaks: true },
    cont: { match: new RegExp(`(?:[^\\n]*[^${e}\\n])?${e}[ \\t]*\\r*${end}`), lineBreaks: true },
    line: { match: new RegExp(`[^\\n]*[^\\r\\n]\\r*${end}`), lineBreaks: true },
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

interface RawLine {
  type: "blank" | "comment" | "cont" | "line";
  /** The line without its line ending. */
  value: string;
  /** The line as written, line ending included. */
  text: string;
  line: number;
}

export class DockerfileLexer implements LexResult, NodeContext {
  readonly lines: string[] = [];
  readonly directives: Directive[] = [];
  escapeToken: "\\" | "`" = "\\";
  /** The input problem that ended the token stream, if any. */
  error: DockerfileError | undefined;
  // moo lexers are stateful; clone() (missing from its typings) gives each parse its own.
  private readonly moo = (lineLexer as unknown as { clone(): moo.Lexer }).clone();
  private inDirectives = true;
  private heredocs: HeredocMarker[] = [];
  private heredocLogical: LogicalLine | undefined;

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
    // nearley hands back the token it failed on untyped: one of our LineTokens, or nothing.
    const line = (token as Partial<LineToken> | undefined)?.line ?? this.lines.length;
    return `${message} at line ${line}`;
  }

  next(): LineToken | undefined {
    if (this.error !== undefined) return undefined;
    try {
      return this.nextToken();
    } catch (err) {
      if (!(err instanceof DockerfileError)) throw err;
      this.error = err;
      return undefined;
    }
  }

  private readLine(): RawLine | undefined {
    const raw = this.moo.next();
    if (raw === undefined) return undefined;
    const value = stripLineEnding(raw.text);
    this.lines.push(value);
    // moo types a token's type as string; it is one of the rule names this lexer declares.
    return { type: raw.type as RawLine["type"], value, text: raw.text, line: this.lines.length };
  }

  private token(type: LineTokenType, first: RawLine, endLine: number): LineToken {
    return {
      type,
      value: first.value,
      line: first.line,
      endLine,
      lexer: this,
      text: first.text,
      offset: 0,
      col: 1,
    };
  }

  private nextToken(): LineToken | undefined {
    if (this.heredocs.length > 0) return this.heredocBody();
    const first = this.readLine();
    if (first === undefined) return undefined;
    if (this.inDirectives) {
      const directive = this.directiveLine(first);
      if (directive !== undefined) return directive;
    }
    if (first.type !== "blank" && first.type !== "comment") return this.instruction(first);
    // Blank and comment lines ride on the instruction that follows (as BuildKit's PrevComment);
    // only a run at the end of the file becomes a token of its own.
    const comments: string[] = [];
    let last = first;
    for (let l: RawLine | undefined = first; l !== undefined; l = this.readLine()) {
      if (l.type !== "blank" && l.type !== "comment") return this.instruction(l, comments);
      if (l.type === "comment") {
        const text = goTrimSpace(l.value.slice(skipGoSpace(l.value) + 1));
        // BuildKit: an empty comment line resets the comment block.
        if (text === "") comments.length = 0;
        else comments.push(text);
      }
      last = l;
    }
    return this.token("trivia", first, last.line);
  }

  /** Joins a logical line starting at `first` (BuildKit: the first piece is left-trimmed, later ones are not). */
  private instruction(first: RawLine, comments: string[] = []): LineToken {
    const column = skipGoSpace(first.value);
    const logical: LogicalLine = { text: "", pieces: [] };
    const add = (text: string, line: number, col: number): void => {
      logical.pieces.push({ offset: logical.text.length, line, column: col });
      logical.text += text;
    };
    let last = first.line;
    if (first.type === "line") {
      add(first.value.slice(column), first.line, column + 1);
    } else {
      add(stripContinuation(first.value.slice(column)), first.line, column + 1);
      for (let l = this.readLine(); l !== undefined; l = this.readLine()) {
        last = l.line;
        if (l.type === "blank" || l.type === "comment") continue;
        if (l.type === "line") {
          add(l.value, l.line, 1);
          break;
        }
        add(stripContinuation(l.value), l.line, 1);
      }
    }
    const token = this.token("instruction", first, last);
    token.logical = logical;
    if (comments.length > 0) token.comments = comments;
    if (logical.text.includes("<<") && allowsHeredocs(logical.text)) {
      this.heredocs = heredocMarkers(logical.text);
      this.heredocLogical = logical;
    }
    return token;
  }

  /** Reads one heredoc body up to its terminator line. */
  private heredocBody(): LineToken {
    const marker = this.heredocs[0];
    let content = "";
    let first: RawLine | undefined;
    for (let l = this.readLine(); l !== undefined; l = this.readLine()) {
      first ??= l;
      if (isTerminator(l.value, marker)) {
        this.heredocs.shift();
        const token = this.token("heredoc", first, l.line);
        token.heredoc = marker;
        token.content = content;
        return token;
      }
      content += l.text;
    }
    // Heredoc bodies are read only after their logical line was recorded.
    const logical = this.heredocLogical as LogicalLine;
    const start = positionAt(logical, marker.start);
    throw new DockerfileError(
      `unterminated heredoc ${marker.name}`,
      this.file,
      { start, end: positionAt(logical, marker.end - 1) },
      this.lines[start.line - 1],
    );
  }

  /** A line of the directive run, or undefined once the run is over. */
  private directiveLine(l: RawLine): LineToken | undefined {
    const m = l.type === "comment" ? matchDirective(l.value) : undefined;
    if (m === undefined) {
      this.inDirectives = false;
      return undefined;
    }
    const span: Span = {
      start: { line: l.line, column: m.nameColumn },
      end: { line: l.line, column: l.value.length },
    };
    if (this.directives.some((d) => d.name === m.name)) {
      throw new DockerfileError(`only one ${m.name} parser directive can be used`, this.file, span, l.value);
    }
    if (m.name === "escape") {
      if (!isValidEscape(m.value)) {
        const at = { line: l.line, column: m.valueColumn };
        throw new DockerfileError(
          `invalid escape token '${m.value}' does not match \` or \\`,
          this.file,
          { start: at, end: { line: l.line, column: m.valueColumn + m.value.length - 1 } },
          l.value,
        );
      }
      // isValidEscape checked the value above: a backslash or a backtick.
      this.escapeToken = m.value as "\\" | "`";
      this.moo.setState(this.escapeToken === "\\" ? "backslash" : "backtick");
    }
    const directive: Directive = { name: m.name, value: m.value, span };
    this.directives.push(directive);
    const token = this.token("directive", l, l.line);
    token.directive = directive;
    return token;
  }
}
