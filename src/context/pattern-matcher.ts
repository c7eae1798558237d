import { compileIgnorePattern, type IgnorePattern } from "./ignore-pattern";

/**
 * Per-pattern results for a directory, handed to its children: BuildKit's fsutil walks the
 * context with patternmatcher.MatchesUsingParentResults, so a child inherits each pattern its
 * parent matched. (This differs from MatchesOrParentMatches in corner cases such as
 * `a/b` followed by `!a`, where BuildKit keeps a/b excluded; we follow BuildKit.)
 */
export type ParentMatches = readonly boolean[];

/**
 * moby/patternmatcher's PatternMatcher as tonistiigi/fsutil uses it to filter a build context.
 * Paths are slash-separated, relative to the context root, cleaned ("a/b", never "./a").
 */
export class PatternMatcher {
  readonly patterns: readonly IgnorePattern[];
  /** Some `!` line exists, so an excluded directory may still hold included files. */
  readonly hasExclusions: boolean;
  /** Every `!` line is a plain path (fsutil's onlyPrefixExcludeExceptions). */
  private readonly prefixExceptionsOnly: boolean;

  /** Throws BadPatternError for a malformed pattern. */
  constructor(lines: readonly string[]) {
    const patterns: IgnorePattern[] = [];
    for (const line of lines) {
      const p = compileIgnorePattern(line);
      if (p !== undefined) patterns.push(p);
    }
    this.patterns = patterns;
    this.hasExclusions = patterns.some((p) => p.exclusion);
    this.prefixExceptionsOnly = patterns.every(
      (p) => !p.exclusion || !/[*[\]?^\\]/.test(withoutTrailingGlob(p.text)),
    );
  }

  /**
   * patternmatcher.MatchesUsingParentResults: whether `path` is excluded, given the results of
   * its parent directory (undefined for a top-level path), and the results to pass to its
   * children if it is a directory.
   */
  match(path: string, parent: ParentMatches | undefined): { excluded: boolean; results: boolean[] } {
    const results = new Array<boolean>(this.patterns.length).fill(false);
    let matched = false;
    for (let i = 0; i < this.patterns.length; i++) {
      const pattern = this.patterns[i];
      let hit = parent !== undefined && parent[i];
      if (!hit) {
        // An exception only matters once something matched; an exclusion only until then.
        if (pattern.exclusion !== matched) continue;
        hit = pattern.matches(path);
        if (!hit && parent === undefined) {
          for (let j = path.indexOf("/"); !hit && j !== -1; j = path.indexOf("/", j + 1)) {
            hit = pattern.matches(path.slice(0, j));
          }
        }
      }
      results[i] = hit;
      if (hit) matched = !pattern.exclusion;
    }
    return { excluded: matched, results };
  }

  /**
   * Whether a walk must descend into excluded directory `dir` because a `!` line might
   * re-include something below it. fsutil's rule: with only plain-path exceptions, descend when
   * one lies under `dir/`; with any wildcard exception, always descend.
   */
  mayReincludeBelow(dir: string): boolean {
    if (!this.hasExclusions) return false;
    if (!this.prefixExceptionsOnly) return true;
    const prefix = dir + "/";
    return this.patterns.some((p) => p.exclusion && (withoutTrailingGlob(p.text) + "/").startsWith(prefix));
  }
}

/** fsutil's patternWithoutTrailingGlob: "a/b/**" and "a/b/*" → "a/b". */
function withoutTrailingGlob(text: string): string {
  let t = text;
  if (t.endsWith("/**")) t = t.slice(0, -3);
  if (t.endsWith("/*")) t = t.slice(0, -2);
  return t;
}
