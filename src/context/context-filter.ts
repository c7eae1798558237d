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
 * Answers ignore-rule questions about single paths the way fsutil's walk would have answered
 * them when it reached that path: parents first, each passing its results down. Directory
 * verdicts are memoised since sources share parents.
 */
export class ContextFilter {
  private readonly dirVerdicts = new Map<string, PathVerdict>();

  constructor(readonly matcher: PatternMatcher) {}

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
    if (!v.pruned && !this.descend(dir, v)) v = { ...v, pruned: true };
    this.dirVerdicts.set(dir, v);
    return v;
  }
}

const NOTHING_EXCLUDED: PathVerdict = { excluded: false, pruned: false, results: [] };
