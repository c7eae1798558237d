import { RE2JS } from "re2js";
import { BadPatternError, validatePattern } from "./go-match";
import { cleanPath, trimSpace } from "./go-path";

/**
 * One .dockerignore pattern, compiled as moby/patternmatcher (v0.6) compiles it: Go
 * filepath.Match syntax where `*` and `?` never cross "/", plus `**` for any number of path
 * segments. Like patternmatcher, a pattern is an exact, prefix (`foo/**`), suffix (`**\/foo`)
 * or regexp match; the shortcuts are kept because they change results in corner cases
 * (`**.txt` matches "a/b.txt").
 *
 * The regexp runs on RE2 (re2js, a port of the engine behind Go's regexp, which patternmatcher
 * uses): linear in the path whatever the pattern. JavaScript's backtracking RegExp took 13.5 s
 * for `**\/` repeated 8 times against a 30-deep path, and never finished for 40.
 */
export interface IgnorePattern {
  /** The cleaned pattern without its leading "!". */
  readonly text: string;
  /** A `!pattern` line: re-includes what earlier lines excluded. */
  readonly exclusion: boolean;
  /** Matched by string equality: no wildcard, class or escape. */
  readonly literal: boolean;
  matches(path: string): boolean;
}

/**
 * Compiles one pattern as patternmatcher.New does: trim, Clean, split off "!", reject a bare "!"
 * and anything filepath.Match rejects. Returns undefined for a blank line. Throws
 * BadPatternError for a malformed pattern. `engine` is for tests: "auto" picks per pattern (see compile).
 */
export function compileIgnorePattern(line: string, engine: RegexpEngine = "auto"): IgnorePattern | undefined {
  let p = trimSpace(line);
  if (p === "") return undefined;
  p = cleanPath(p);
  let exclusion = false;
  if (p.startsWith("!")) {
    if (p.length === 1) throw new BadPatternError();
    exclusion = true;
    p = p.slice(1);
  }
  validatePattern(p);
  const text = p;
  const compiled = compile(text, engine);
  let matches: (path: string) => boolean;
  switch (compiled.type) {
    case "exact":
      matches = (path) => path === text;
      break;
    case "prefix": {
      const prefix = text.slice(0, -2);
      matches = (path) => path.startsWith(prefix);
      break;
    }
    case "suffix": {
      const suffix = text.slice(2);
      matches = (path) => path.endsWith(suffix) || (suffix.startsWith("/") && path === suffix.slice(1));
      break;
    }
    case "regexp": {
      const re = compiled.regexp;
      matches = (path) => re.test(path);
      break;
    }
  }
  return { text, exclusion, literal: compiled.type === "exact", matches };
}

type Compiled =
  { type: "exact" | "prefix" | "suffix" } | { type: "regexp"; regexp: { test(s: string): boolean } };

/** Characters patternmatcher escapes: regexp syntax that means nothing to filepath.Match. */
const REGEXP_ONLY = new Set([".", "+", "(", ")", "|", "{", "}", "$"]);
/** Characters escaped to stand for themselves (RE2 accepts an escape before any punctuation). */
const JS_SYNTAX = new Set(["^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/", "-"]);
/** Go's `.` (without the s flag): any character but "\n". */
const ANY = "[^\\n]";

/**
 * patternmatcher's Pattern.compile. One deliberate difference: `\x` always means the character x
 * (filepath.Match's definition), where Go's regexp would read `\d` or `\w` as a class.
 */
export type RegexpEngine = "auto" | "re2" | "v8";

function compile(pattern: string, engine: RegexpEngine): Compiled {
  const chars = Array.from(pattern);
  let re = "^";
  let type: "exact" | "prefix" | "suffix" | "regexp" = "exact";
  let inClass = false;
  /**
   * `**` groups, and the most `*` in one path segment. A backtracking engine stays linear in the
   * path with at most one `**` (it can only pick which "/" the group ends at) and one `*` per
   * segment; `**\/` repeated, or `*a*a*a` in a segment, can go exponential or polynomial.
   */
  let globstars = 0;
  /** No class and no escape: the regexp is made of constructs both engines read alike. */
  let plain = true;
  let segmentStars = 0;
  let maxSegmentStars = 0;
  for (let i = 0, step = 0; i < chars.length; i++, step++) {
    const ch = chars[i];
    if (ch === "/" && !inClass) segmentStars = 0;
    if (ch === "*") {
      if (chars[i + 1] === "*") {
        i++;
        if (chars[i + 1] === "/") i++; // "**/" is treated as "**"
        globstars++;
        segmentStars = 0;
        if (i + 1 >= chars.length) {
          if (type === "exact") type = "prefix";
          else {
            re += ANY + "*";
            type = "regexp";
          }
        } else {
          re += `(${ANY}*/)?`;
          type = "regexp";
        }
        if (step === 0) type = "suffix";
      } else {
        re += "[^/]*";
        maxSegmentStars = Math.max(maxSegmentStars, ++segmentStars);
        type = "regexp";
      }
    } else if (ch === "?") {
      re += "[^/]";
      type = "regexp";
    } else if (REGEXP_ONLY.has(ch)) {
      re += "\\" + ch;
    } else if (ch === "\\") {
      plain = false;
      if (i + 1 < chars.length) {
        i++;
        re += escapeLiteral(chars[i], inClass);
        type = "regexp";
      } else {
        re += "\\\\";
      }
    } else if (ch === "[" || ch === "]") {
      inClass = ch === "[";
      plain = false;
      re += ch;
      type = "regexp";
    } else {
      re += ch;
    }
  }
  if (type !== "regexp") return { type };
  const linear = globstars <= 1 && maxSegmentStars <= 1;
  // Literals, `[^/]*`, `[^/]`, `([^\n]*/)?` and anchors only: RE2 would accept it, so there is
  // nothing for it to check (its first compile costs ~8 ms of a build).
  if (plain && linear && engine !== "re2") return { type, regexp: new RegExp(re + "$", "u") };
  try {
    // RE2 (Go's syntax) decides what is a syntax error: V8 accepts more (an empty class `[]`,
    // which `[*[]` becomes). Both engines match alike on what RE2 accepts (a property test
    // compares them); V8's is ~30x faster per match (`**\/*.log` against a 20,000-file
    // context: 35 ms on RE2), and linear where `linear` holds.
    const re2 = RE2JS.compile(re + "$");
    const js = new RegExp(re + "$", "u");
    if (engine === "v8" || (engine === "auto" && linear)) return { type, regexp: js };
    return { type, regexp: { test: (path) => re2.matches(path) } };
  } catch {
    throw new BadPatternError();
  }
}

function escapeLiteral(ch: string, inClass: boolean): string {
  if (JS_SYNTAX.has(ch)) return "\\" + ch;
  // Inside a class any punctuation is escaped (a literal there); outside only syntax characters.
  if (inClass && /^[^\p{L}\p{N}\s]$/u.test(ch)) return "\\" + ch;
  return ch;
}
