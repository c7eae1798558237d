import type { ParentMatches, PatternMatcher } from "./pattern-matcher";

/** How the ignore rules see one path of the context. */
export interface PathVerdict {
  /** The path itself is excluded (it may still be a directory holding re-included paths). */
  excluded: boolean;
  /**
   * BuildKit's walk never reaches the path: an ancestor is excluded with no exception that
   * could re-include anything below it. A pruned path is invisible whatever it is.
   */
  pruned: boolean;
  /** Pattern results to hand to the path's children. */
  results: ParentMatches;
}

/**
 * Answers pattern questions about single paths, parents first, each passing its results down
 * (patternmatcher.MatchesUsingParentResults); directory verdicts are memoised since paths share
 * parents. The one matcher of .dockerignore and `COPY --exclude`:
 * - `walk: true` (the context): as fsutil's walk answers when it reaches the path — it never
 *   enters an excluded directory that no `!` line could re-include below, so what lies there is
 *   pruned;
 * - `walk: false` (`COPY --exclude`): as fsutil's copier answers — every path is matched, so a
 *   `!` line re-includes a path below an excluded directory.
 */
export class ContextFilter {
  private readonly dirVerdicts = new Map<string, PathVerdict>();
  private readonly walk: boolean;

  constructor(
    readonly matcher: PatternMatcher,
    options: { walk?: boolean } = {},
  ) {
    this.walk = options.walk ?? true;
  }

  /** `COPY --exclude`: whether `path` (clean, relative; "." or "" is the source itself) is left out. */
  excludes(path: string): boolean {
    if (this.empty || path === "." || path === "") return false;
    const v = this.verdict(path);
    return v.excluded || v.pruned;
  }

  get empty(): boolean {
    return this.matcher.patterns.length === 0;
  }

  /** Verdict for `path` (relative, cleaned, not "."). */
  verdict(path: string): PathVerdict {
    const slash = path.lastIndexOf("/");
    const parent = slash === -1 ? undefined : this.dirVerdict(path.slice(0, slash));
    return this.child(path, parent);
  }

  /** Verdict for `path` given its parent directory's verdict (undefined at the top level). */
  child(path: string, parent: PathVerdict | undefined): PathVerdict {
    if (parent?.pruned) return { excluded: true, pruned: true, results: parent.results };
    if (this.empty) return NOTHING_EXCLUDED;
    // Below an excluded directory with no `!` line, everything stays excluded.
    if (parent?.excluded === true && !this.matcher.hasExclusions) return parent;
    const { excluded, results } = this.matcher.match(path, parent?.results);
    return { excluded, pruned: false, results };
  }

  /** Whether a walk must enter directory `path` (it is not pruned below). */
  descend(path: string, verdict: PathVerdict): boolean {
    if (verdict.pruned) return false;
    return !verdict.excluded || this.matcher.mayReincludeBelow(path);
  }

  private dirVerdict(dir: string): PathVerdict {
    const known = this.dirVerdicts.get(dir);
    if (known !== undefined) return known;
    const slash = dir.lastIndexOf("/");
    const parent = slash === -1 ? undefined : this.dirVerdict(dir.slice(0, slash));
    let v = this.child(dir, parent);
    // Children of a directory the walk would not enter are pruned.
    if (this.walk && !v.pruned && !this.descend(dir, v)) v = { ...v, pruned: true };
    this.dirVerdicts.set(dir, v);
    return v;
  }
}

const NOTHING_EXCLUDED: PathVerdict = { excluded: false, pruned: false, results: [] };
