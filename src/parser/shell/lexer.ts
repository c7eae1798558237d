import { type EnvLookup } from "./env";
import { ShellExpansionError } from "./errors";
import { applyModifier, applyReplace, lengthProblem, type Limits } from "./modifiers";
import { type ResolvedShellOptions } from "./options";
import { WordSplitter } from "./words";

/**
 * How many `${...}` may nest inside each other. The lexer recurses once per level (a few stack
 * frames each), so a bound keeps hostile input from overflowing the stack; real Dockerfiles
 * nest two or three deep.
 */
export const MAX_NESTING = 256;

/** Longest piece of input quoted in an error message. */
const SNIPPET_MAX = 60;

const EOF = -1;
const DOLLAR = 0x24;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COLON = 0x3a;
const SLASH = 0x2f;
const UNDERSCORE = 0x5f;
const BOM = 0xfeff;

/** Special parameters (`$@`, `$*`, ...): one character, never set in a Dockerfile. */
const SPECIAL_PARAMS = new Set(Array.from("@*#?-$!0", (ch) => ch.charCodeAt(0)));
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return DIGIT.test(String.fromCodePoint(cp));
}

function isNameChar(cp: number): boolean {
  if (cp < 0x80) {
    return (
      (cp >= 0x30 && cp <= 0x39) ||
      (cp >= 0x41 && cp <= 0x5a) ||
      (cp >= 0x61 && cp <= 0x7a) ||
      cp === UNDERSCORE
    );
  }
  const ch = String.fromCodePoint(cp);
  return LETTER.test(ch) || DIGIT.test(ch);
}

/** What one run of the lexer produced. */
export interface LexResult {
  /** The expanded word (ProcessWord). */
  readonly result: string;
  /** The expanded text split into words (ProcessWords); empty unless asked for. */
  readonly words: string[];
}

/**
 * One expansion of one input, after BuildKit's `frontend/dockerfile/shell` lexer: quotes,
 * escapes and `$` expansions are processed left to right in a single pass over `input`.
 */
export class ShellLexer {
  private pos = 0;
  private depth = 0;
  private rawEscapes: boolean;
  private readonly escape: number;
  private readonly limits: Limits;

  constructor(
    private readonly input: string,
    private readonly env: EnvLookup,
    private readonly opts: ResolvedShellOptions,
  ) {
    this.rawEscapes = opts.rawEscapes;
    this.escape = opts.escapeToken.charCodeAt(0);
    this.limits = {
      // A long word (a heredoc body) may stay long; expansion may add at most maxLength to it.
      maxLength: input.length + opts.maxLength,
      maxGrowth: opts.maxLength,
      maxMatchSteps: opts.maxMatchSteps,
      budget: { steps: opts.maxMatchSteps },
    };
    // Go's text/scanner, which BuildKit reads the word with, drops a leading byte-order mark.
    if (input.charCodeAt(0) === BOM) this.pos = 1;
  }

  /** Expands the input; splits it into words too only when `splitWords` is set. */
  run(splitWords: boolean): LexResult {
    const words = splitWords ? new WordSplitter() : undefined;
    const result = this.processUntil(EOF, this.opts.rawEscapes, words);
    return { result, words: words?.finish() ?? [] };
  }

  private peek(): number {
    return this.input.codePointAt(this.pos) ?? EOF;
  }

  private next(): number {
    const cp = this.peek();
    if (cp !== EOF) this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private isSpecial(c: number, stop: number): boolean {
    return (
      c === DOLLAR ||
      c === this.escape ||
      c === stop ||
      (!this.opts.skipProcessQuotes && (c === SINGLE_QUOTE || c === DOUBLE_QUOTE))
    );
  }

  /**
   * Expands text up to `stop` (consumed) or the end of input when `stop` is EOF. Words are
   * collected only at the top level. Throws when `stop` is never found.
   */
  private processUntil(stop: number, rawEscapes: boolean, words?: WordSplitter): string {
    const savedRawEscapes = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = "";
      const input = this.input;
      while (this.pos < input.length) {
        const c = input.charCodeAt(this.pos);
        if (c === stop) {
          this.pos++;
          return result;
        }
        if (c === DOLLAR) {
          const at = this.pos;
          const value = this.processDollar();
          result += value;
          this.checkLength(result, at);
          words?.addSplitting(value);
        } else if (!this.opts.skipProcessQuotes && (c === SINGLE_QUOTE || c === DOUBLE_QUOTE)) {
          const value = c === SINGLE_QUOTE ? this.processSingleQuote() : this.processDoubleQuote();
          result += value;
          words?.addVerbatim(value);
        } else if (c === this.escape) {
          this.pos++;
          if (this.rawEscapes) {
            result += this.opts.escapeToken;
            words?.addVerbatim(this.opts.escapeToken);
          }
          // An escape at the very end is dropped.
          if (this.pos >= input.length) break;
          const at = this.pos;
          this.next();
          const escaped = input.slice(at, this.pos);
          result += escaped;
          words?.addVerbatim(escaped);
        } else {
          let end = this.pos + 1;
          while (end < input.length && !this.isSpecial(input.charCodeAt(end), stop)) end++;
          const run = input.slice(this.pos, end);
          this.pos = end;
          result += run;
          words?.addSplitting(run);
        }
      }
      if (stop !== EOF) {
        // Callers replace this with a message naming their own construct.
        throw new ShellExpansionError(`missing '${String.fromCharCode(stop)}'`, this.input.length, 0);
      }
      return result;
    } finally {
      this.rawEscapes = savedRawEscapes;
    }
  }

  /** `'...'`: everything up to the next single quote, literally. */
  private processSingleQuote(): string {
    const start = this.pos;
    const close = this.input.indexOf("'", start + 1);
    if (close < 0) {
      throw this.error(
        `unterminated single-quoted string ${this.snippet(start, this.input.length)}`,
        start,
        this.input.length,
      );
    }
    this.pos = close + 1;
    const body = this.input.slice(start + 1, close);
    return this.opts.rawQuotes ? `'${body}'` : body;
  }

  /** `"..."`: `$` expands; the escape character escapes only `"`, `$` and itself. */
  private processDoubleQuote(): string {
    const start = this.pos;
    const input = this.input;
    const esc = this.opts.escapeToken;
    let result = this.opts.rawQuotes ? '"' : "";
    this.pos++;
    for (;;) {
      if (this.pos >= input.length) {
        throw this.error(
          `unterminated double-quoted string ${this.snippet(start, input.length)}`,
          start,
          input.length,
        );
      }
      const c = input.charCodeAt(this.pos);
      if (c === DOUBLE_QUOTE) {
        this.pos++;
        return this.opts.rawQuotes ? result + '"' : result;
      }
      if (c === DOLLAR) {
        const at = this.pos;
        result += this.processDollar();
        this.checkLength(result, at);
      } else if (c === this.escape) {
        this.pos++;
        if (this.rawEscapes) result += esc;
        if (this.pos >= input.length) continue;
        const n = input.charCodeAt(this.pos);
        if (n === DOUBLE_QUOTE || n === DOLLAR || n === this.escape) {
          result += input[this.pos];
          this.pos++;
        } else {
          // Any other character: the escape character itself stays (BuildKit writes it again
          // even when raw escapes already kept it).
          result += esc;
        }
      } else {
        let end = this.pos + 1;
        while (end < input.length) {
          const d = input.charCodeAt(end);
          if (d === DOUBLE_QUOTE || d === DOLLAR || d === this.escape) break;
          end++;
        }
        result += input.slice(this.pos, end);
        this.pos = end;
      }
    }
  }

  /**
   * A name after `$` or `${`: digits only (a positional parameter) when it starts with a digit,
   * one special-parameter character, or letters, digits and `_`. Empty when none of these.
   */
  private processName(): string {
    const start = this.pos;
    const first = this.peek();
    if (first === EOF) return "";
    if (isDigit(first)) {
      while (this.peek() !== EOF && isDigit(this.peek())) this.next();
    } else if (SPECIAL_PARAMS.has(first)) {
      this.next();
    } else {
      while (this.peek() !== EOF && isNameChar(this.peek())) this.next();
    }
    return this.input.slice(start, this.pos);
  }

  /** `$name`, `${name}` or `${name<modifier>...}`, with the lexer on the `$`. */
  private processDollar(): string {
    const start = this.pos;
    this.pos++;
    if (this.peek() !== OPEN_BRACE) {
      const name = this.processName();
      if (name === "") return "$";
      const value = this.lookup(name);
      if (value === undefined && this.opts.skipUnsetEnv) return "$" + name;
      return value ?? "";
    }
    this.pos++;
    const first = this.peek();
    if (first === EOF) throw this.missingBrace(start);
    if (first === OPEN_BRACE || first === CLOSE_BRACE || first === COLON) {
      throw this.error(`bad substitution: ${this.construct(start)}`, start, this.constructEnd(start));
    }
    if (this.depth >= MAX_NESTING) {
      throw this.error(
        `bad substitution: \${...} nested more than ${MAX_NESTING} levels deep`,
        start,
        start + 2,
      );
    }
    this.depth++;
    try {
      return this.processBraced(start);
    } finally {
      this.depth--;
    }
  }

  /** The part of `${...}` after `${`. */
  private processBraced(start: number): string {
    const name = this.processName();
    let op = this.next();
    if (op === EOF) throw this.missingBrace(start);
    if (op === CLOSE_BRACE) {
      const value = this.lookup(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}}`;
      return value ?? "";
    }
    if (op === SLASH) return this.processReplace(start, name);

    let colon = false;
    if (op === COLON) {
      colon = true;
      op = this.next();
    }
    const opText = op === EOF ? "" : String.fromCodePoint(op);
    const modifier = (colon ? ":" : "") + opText;
    // Without a colon an unknown modifier fails at once; after a colon BuildKit reads the word
    // first (so a missing '}' wins, and skipUnsetEnv keeps the text), except for `:#` and `:%`.
    const known = opText !== "" && "+-?#%".includes(opText);
    if ((!colon && !known) || (colon && (opText === "#" || opText === "%"))) {
      throw this.error(
        `bad substitution: unsupported modifier "${modifier}" in ${this.construct(start)}`,
        start,
        this.constructEnd(start),
      );
    }
    const word = this.processWordOf(start, opText === "#" || opText === "%");
    const value = this.lookup(name);
    if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}${modifier}${word}}`;
    if (!known) {
      throw this.error(
        `bad substitution: unsupported modifier "${modifier}" in ${this.snippet(start, this.pos)}`,
        start,
        this.pos,
      );
    }
    return applyModifier(
      opText,
      colon,
      name,
      value,
      word,
      (problem) => {
        throw this.error(problem, start, this.pos);
      },
      this.limits,
    );
  }

  /** The word of a modifier, up to its `}`. */
  private processWordOf(start: number, rawEscapes: boolean): string {
    try {
      return this.processUntil(CLOSE_BRACE, rawEscapes);
    } catch (err) {
      // Like BuildKit: whatever failed, running out of input means this `${` is unclosed.
      if (err instanceof ShellExpansionError && this.pos >= this.input.length) throw this.missingBrace(start);
      throw err;
    }
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}`, after the first `/`. */
  private processReplace(start: number, name: string): string {
    const all = this.peek() === SLASH;
    if (all) this.pos++;
    let pattern: string;
    try {
      pattern = this.processUntil(SLASH, true);
    } catch (err) {
      if (err instanceof ShellExpansionError && this.pos >= this.input.length) {
        throw this.error(
          `bad substitution: missing '/' in ${this.snippet(start, this.input.length)}`,
          start,
          this.input.length,
        );
      }
      throw err;
    }
    const replacement = this.processWordOf(start, true);
    const value = this.lookup(name);
    if (value === undefined && this.opts.skipUnsetEnv) {
      return `\${${name}${all ? "//" : "/"}${pattern}/${replacement}}`;
    }
    return applyReplace(
      value ?? "",
      pattern,
      replacement,
      all,
      (problem) => {
        throw this.error(problem, start, this.pos);
      },
      this.limits,
    );
  }

  /**
   * A variable's value, recorded as matched or unmatched. BuildKit lets a modifier follow an
   * empty name (`${+x}`, `${%x}`): that name is never set and is not worth recording.
   */
  private lookup(name: string): string | undefined {
    return name === "" ? undefined : this.env.get(name);
  }

  /** Fails at the `$` construct just read (from `at`) once `result` is over the length limit. */
  private checkLength(result: string, at: number): void {
    if (result.length > this.limits.maxLength) {
      throw this.error(lengthProblem(this.limits), at, this.pos);
    }
  }

  private missingBrace(start: number): ShellExpansionError {
    return this.error(`missing '}' in ${this.snippet(start, this.input.length)}`, start, this.input.length);
  }

  private error(problem: string, start: number, end: number): ShellExpansionError {
    return new ShellExpansionError(problem, start, Math.max(end - start, this.input.length > start ? 1 : 0));
  }

  /** `${...` from `start` up to its first `}` (or the end), for messages. */
  private construct(start: number): string {
    return this.snippet(start, this.constructEnd(start));
  }

  private constructEnd(start: number): number {
    const close = this.input.indexOf("}", start + 2);
    return close < 0 ? this.input.length : close + 1;
  }

  private snippet(start: number, end: number): string {
    if (end - start <= SNIPPET_MAX) return this.input.slice(start, end);
    return this.input.slice(start, start + SNIPPET_MAX) + "…";
  }
}
