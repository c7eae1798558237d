/**
 * A port of Go's path/filepath.Match (Unix flavour), the wildcard syntax of COPY/ADD sources and
 * the syntax check Docker runs on .dockerignore patterns:
 *
 *   `*` any run of non-"/" characters, `?` one non-"/" character, `[abc]` `[a-z]` `[^a-z]` a
 *   character class, `\x` the character x literally.
 *
 * Works on code points, as Go works on runes. A malformed pattern throws BadPatternError (Go's
 * ErrBadPattern); like Go, the whole pattern is checked even when the name fails early.
 */
export class BadPatternError extends Error {
  constructor() {
    super("syntax error in pattern");
  }
}

/** Reports whether `name` matches the shell pattern `pattern`. */
export function goMatch(pattern: string, name: string): boolean {
  return matchCodePoints(toCodePoints(pattern), toCodePoints(name));
}

/** Throws BadPatternError if `pattern` is malformed (Go: `filepath.Match(p, ".")` erroring). */
export function validatePattern(pattern: string): void {
  goMatch(pattern, ".");
}

/**
 * Whether a path component holds an unescaped wildcard (`*`, `?`, `[`): BuildKit's
 * containsWildcards. A component without one is used literally, backslashes and all.
 */
export function hasWildcard(component: string): boolean {
  for (let i = 0; i < component.length; i++) {
    const ch = component[i];
    if (ch === "\\") i++;
    else if (ch === "*" || ch === "?" || ch === "[") return true;
  }
  return false;
}

const SLASH = 0x2f;
const STAR = 0x2a;
const BACKSLASH = 0x5c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const QUESTION = 0x3f;
const CARET = 0x5e;
const DASH = 0x2d;

function toCodePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) ?? 0);
  return out;
}

function matchCodePoints(pattern: number[], name: number[]): boolean {
  let p = 0;
  let n = 0;
  patternLoop: while (p < pattern.length) {
    const chunk = scanChunk(pattern, p);
    p = chunk.end;
    if (chunk.star && chunk.start === chunk.end) {
      // Trailing "*" matches the rest of the name unless it holds a "/".
      return !name.slice(n).includes(SLASH);
    }
    const rest = p < pattern.length;
    const here = matchChunk(pattern, chunk.start, chunk.end, name, n);
    if (here !== -1 && (here === name.length || rest)) {
      n = here;
      continue;
    }
    if (chunk.star) {
      // Let the star swallow i+1 characters; it cannot swallow "/".
      for (let i = n; i < name.length && name[i] !== SLASH; i++) {
        const t = matchChunk(pattern, chunk.start, chunk.end, name, i + 1);
        if (t !== -1) {
          if (!rest && t < name.length) continue;
          n = t;
          continue patternLoop;
        }
      }
    }
    // Fail, but only after checking that the rest of the pattern is well-formed.
    while (p < pattern.length) {
      const c = scanChunk(pattern, p);
      p = c.end;
      matchChunk(pattern, c.start, c.end, [], 0);
    }
    return false;
  }
  return n === name.length;
}

interface Chunk {
  star: boolean;
  start: number;
  end: number;
}

function scanChunk(pattern: number[], from: number): Chunk {
  let i = from;
  let star = false;
  while (i < pattern.length && pattern[i] === STAR) {
    i++;
    star = true;
  }
  const start = i;
  let inRange = false;
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === BACKSLASH) {
      if (i + 1 < pattern.length) i++;
    } else if (c === LBRACKET) inRange = true;
    else if (c === RBRACKET) inRange = false;
    else if (c === STAR && !inRange) break;
  }
  return { star, start, end: i };
}

/**
 * Matches pattern[start, end) (no unescaped stars) at name[n...]; returns the index in name after
 * the match, or -1. Keeps parsing after a mismatch so syntax errors are always reported.
 */
function matchChunk(pattern: number[], start: number, end: number, name: number[], n: number): number {
  let failed = false;
  let c = start;
  let s = n;
  while (c < end) {
    if (!failed && s >= name.length) failed = true;
    const ch = pattern[c];
    if (ch === LBRACKET) {
      let r = -1;
      if (!failed) r = name[s++];
      c++;
      let negated = false;
      if (c < end && pattern[c] === CARET) {
        negated = true;
        c++;
      }
      let match = false;
      let ranges = 0;
      for (;;) {
        if (c < end && pattern[c] === RBRACKET && ranges > 0) {
          c++;
          break;
        }
        const lo = getEsc(pattern, c, end);
        c = lo.next;
        let hi = lo.rune;
        if (pattern[c] === DASH) {
          const h = getEsc(pattern, c + 1, end);
          c = h.next;
          hi = h.rune;
        }
        if (lo.rune <= r && r <= hi) match = true;
        ranges++;
      }
      if (match === negated) failed = true;
    } else if (ch === QUESTION) {
      if (!failed) {
        if (name[s] === SLASH) failed = true;
        s++;
      }
      c++;
    } else {
      let literal = ch;
      if (ch === BACKSLASH) {
        c++;
        if (c >= end) throw new BadPatternError();
        literal = pattern[c];
      }
      if (!failed) {
        if (literal !== name[s]) failed = true;
        s++;
      }
      c++;
    }
  }
  return failed ? -1 : s;
}

function getEsc(pattern: number[], c: number, end: number): { rune: number; next: number } {
  if (c >= end || pattern[c] === DASH || pattern[c] === RBRACKET) throw new BadPatternError();
  if (pattern[c] === BACKSLASH) {
    c++;
    if (c >= end) throw new BadPatternError();
  }
  const rune = pattern[c];
  c++;
  // Go requires something (at least the closing "]") after every range endpoint.
  if (c >= end) throw new BadPatternError();
  return { rune, next: c };
}
