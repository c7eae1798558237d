import { PatternMatcher } from "../context";

/**
 * `COPY --exclude` patterns (.dockerignore syntax, moby/patternmatcher semantics) matched against
 * paths as laid out under the destination (relative to a directory source, the base name of a
 * single entry, the path below the pivot with --parents). A matched directory excludes everything
 * below it unless a "!" pattern re-includes something. The same rules as the build's context
 * fingerprint, so an excluded file never changes a cache key.
 */
export class ExcludeFilter {
  private readonly matcher: PatternMatcher | undefined;
  private readonly verdicts = new Map<string, { excluded: boolean; results: boolean[] }>();

  constructor(patterns: readonly string[]) {
    this.matcher = patterns.length === 0 ? undefined : new PatternMatcher(patterns);
  }

  /** Whether `p` (clean, relative, "." for a source directory itself) is left out. */
  excludes(p: string): boolean {
    if (this.matcher === undefined || p === "." || p === "") return false;
    if (this.verdict(p).excluded) return true;
    for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1)) {
      if (this.verdict(p.slice(0, i)).excluded) return true;
    }
    return false;
  }

  private verdict(p: string): { excluded: boolean; results: boolean[] } {
    const known = this.verdicts.get(p);
    if (known) return known;
    const matcher = this.matcher as PatternMatcher;
    const slash = p.lastIndexOf("/");
    const parent = slash < 0 ? undefined : this.verdict(p.slice(0, slash));
    const v = parent?.excluded && !matcher.hasExclusions ? parent : matcher.match(p, parent?.results);
    this.verdicts.set(p, v);
    return v;
  }
}
