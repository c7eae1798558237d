import { type CodePointText } from "./code-points";

/**
 * Shell patterns of `${v#p}`, `${v%p}` and `${v/p/r}`, with BuildKit's rules: `*` matches any run
 * of characters, `?` one character; `\*`, `\?` and `\\` match themselves; `\}` and `\/` are the
 * delimiters written literally; any other escape is an error. No bracket expressions.
 *
 * BuildKit turns a pattern into a Go regexp whose `.` does not match a newline, so neither `*`
 * nor `?` matches "\n" here either. Matching runs as an NFA over code points (never a
 * backtracking regexp), so it takes O(text × pattern) time whatever the input.
 */

/** A compiled pattern: one entry per element, a code point or one of the wildcards below. */
export type Pattern = readonly number[];

/** `*`: any run of code points other than "\n". */
export const STAR = -1;
/** `?`: any one code point other than "\n". */
export const ANY = -2;

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;

/** Thrown by compilePattern; the caller adds where the pattern came from. */
export class PatternSyntaxError extends Error {}

/**
 * Matching work shared by every pattern of one expansion: each NFA thread stepped over one code
 * point costs 1. The NFA is linear in text × pattern, but both may be a megabyte long (a variable
 * used as the pattern), and `${v//p/r}` runs it once per match.
 */
export interface MatchBudget {
  steps: number;
}

/** Thrown when a MatchBudget runs out; the caller adds where the pattern came from. */
export class MatchBudgetError extends Error {}

/** Compiles `source` (already expanded, escapes kept) into a Pattern. */
export function compilePattern(source: string): Pattern {
  const points = Array.from(source, (ch) => ch.codePointAt(0) ?? 0);
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const cp = points[i];
    if (cp === 0x2a) out.push(STAR);
    else if (cp === 0x3f) out.push(ANY);
    else if (cp === BACKSLASH) {
      const next = points[i + 1];
      // `\}` and `\/` only protect the delimiter from the lexer; the backslash is not matched.
      if (next === 0x7d || next === 0x2f) continue;
      if (next === undefined) throw new PatternSyntaxError("invalid escape '\\' at end of pattern");
      if (next !== 0x2a && next !== 0x3f && next !== BACKSLASH) {
        throw new PatternSyntaxError(`invalid escape '\\${String.fromCodePoint(next)}'`);
      }
      out.push(next);
      i++;
    } else out.push(cp);
  }
  return out;
}

/**
 * Reverses a pattern's source while keeping each `\x` pair in order (`a\*c` → `c\*a`), so a
 * suffix match becomes a prefix match on the reversed text, exactly as BuildKit does it.
 */
export function reversePatternSource(source: string): string {
  const points = Array.from(source);
  const out = new Array<string>(points.length);
  const last = points.length - 1;
  for (let i = 0; i <= last;) {
    const at = last - i;
    if (points[i] === "\\" && i !== last) {
      out[at - 1] = "\\";
      out[at] = points[i + 1];
      i += 2;
    } else {
      out[at] = points[i];
      i++;
    }
  }
  return out.join("");
}

/** A set of NFA states (pattern indexes, `pattern.length` = accept), each with a start position. */
class StateSet {
  readonly states: Int32Array;
  readonly starts: Int32Array;
  size = 0;
  private readonly index: Int32Array;

  constructor(private readonly pattern: Pattern) {
    this.states = new Int32Array(pattern.length + 1);
    this.starts = new Int32Array(pattern.length + 1);
    this.index = new Int32Array(pattern.length + 1).fill(-1);
  }

  clear(): void {
    for (let i = 0; i < this.size; i++) this.index[this.states[i]] = -1;
    this.size = 0;
  }

  /** Adds `state` and the states a `*` lets it skip to; an earlier start wins for a state. */
  add(state: number, start: number): void {
    for (let s = state; s <= this.pattern.length; s++) {
      const at = this.index[s];
      if (at >= 0) {
        if (this.starts[at] <= start) return;
        this.starts[at] = start;
      } else {
        this.index[s] = this.size;
        this.states[this.size] = s;
        this.starts[this.size] = start;
        this.size++;
      }
      if (this.pattern[s] !== STAR) return;
    }
  }

  /** The start of the thread in the accepting state, or -1. */
  acceptStart(): number {
    const at = this.index[this.pattern.length];
    return at >= 0 ? this.starts[at] : -1;
  }
}

/** Feeds code point `cp` to every thread of `from` whose start is at most `maxStart`. */
function step(pattern: Pattern, from: StateSet, to: StateSet, cp: number, maxStart: number): void {
  to.clear();
  for (let i = 0; i < from.size; i++) {
    const state = from.states[i];
    const start = from.starts[i];
    if (state === pattern.length || start > maxStart) continue;
    const want = pattern[state];
    if (want === STAR) {
      if (cp !== NEWLINE) to.add(state, start);
    } else if (want === ANY) {
      if (cp !== NEWLINE) to.add(state + 1, start);
    } else if (want === cp) to.add(state + 1, start);
  }
}

/** A match's code-point bounds. */
export interface Match {
  readonly start: number;
  readonly end: number;
}

/** Runs one compiled pattern over texts, reusing its state sets between runs. */
export class PatternMatcher {
  private cur: StateSet;
  private next: StateSet;

  constructor(
    private readonly pattern: Pattern,
    private readonly budget: MatchBudget = { steps: Number.POSITIVE_INFINITY },
  ) {
    this.cur = new StateSet(pattern);
    this.next = new StateSet(pattern);
  }

  /**
   * Matches against `text` anchored at index 0 and returns the end of the shortest
   * (`longest` false) or longest match, or -1 when it does not match.
   */
  matchPrefix(text: CodePointText, longest: boolean): number {
    this.cur.clear();
    this.cur.add(0, 0);
    let best = -1;
    for (let pos = 0; ; pos++) {
      if (this.cur.acceptStart() >= 0) {
        best = pos;
        if (!longest) return best;
      }
      if (pos === text.length || this.cur.size === 0) return best;
      this.advance(text.at(pos), 0);
    }
  }

  /**
   * Finds the leftmost match starting at or after `from`, the longest one at that start (what
   * Go's regexp finds for a pattern whose stars are all greedy), or undefined.
   */
  findMatch(text: CodePointText, from: number): Match | undefined {
    this.cur.clear();
    let best: Match | undefined;
    for (let pos = from; ; pos++) {
      // New threads start here only while nothing has matched: later starts cannot be leftmost.
      if (best === undefined) this.cur.add(0, pos);
      const start = this.cur.acceptStart();
      if (start >= 0 && (best === undefined || start <= best.start)) best = { start, end: pos };
      if (pos === text.length || (this.cur.size === 0 && best !== undefined)) return best;
      this.advance(text.at(pos), best === undefined ? Number.MAX_SAFE_INTEGER : best.start);
    }
  }

  private advance(cp: number, maxStart: number): void {
    this.budget.steps -= this.cur.size;
    if (this.budget.steps < 0) throw new MatchBudgetError();
    step(this.pattern, this.cur, this.next, cp, maxStart);
    [this.cur, this.next] = [this.next, this.cur];
  }
}

/** One-off PatternMatcher.matchPrefix. */
export function matchPrefix(pattern: Pattern, text: CodePointText, longest: boolean): number {
  return new PatternMatcher(pattern).matchPrefix(text, longest);
}

/** One-off PatternMatcher.findMatch. */
export function findMatch(pattern: Pattern, text: CodePointText, from: number): Match | undefined {
  return new PatternMatcher(pattern).findMatch(text, from);
}
