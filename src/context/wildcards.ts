import { goMatch, validatePattern } from "./go-match";
import { cleanPath } from "./go-path";

/**
 * What expanding a COPY/ADD wildcard source needs from a tree: the build context and a stage's
 * or image's merged rootfs view both provide it. Paths are root-relative, "" for the root.
 */
export interface WildcardTree {
  /** Where `rel` leads once its symlinks are followed, if that is a directory; else undefined. */
  directory(rel: string): string | undefined;
  /** The visible entries of directory `dir` (a path `directory` returned or one below it), in order. */
  entries(dir: string): Iterable<{ name: string; isDirectory(): boolean }>;
}

/**
 * The paths a source pattern's wildcard components match, like fsutil's resolveWildcards:
 * Go filepath.Match per component from `firstWild` on (the components before it are a literal
 * prefix, its symlinks followed); directories are entered only as real directories, never
 * through a symlink, and a directory that matches the last component is not entered. Throws
 * BadPatternError (before touching the tree) for a malformed component.
 *
 * From component `globstarFrom` on (COPY --parents below its pivot, where BuildKit matches with
 * fsutil's include patterns), a `**` component that is not the last matches zero or more
 * directories; elsewhere `**` is Go's, the same as `*`.
 */
export function expandWildcards(
  tree: WildcardTree,
  components: readonly string[],
  firstWild: number,
  globstarFrom = Infinity,
): string[] {
  for (const c of components.slice(firstWild)) validatePattern(c);
  const base = tree.directory(components.slice(0, firstWild).join("/"));
  if (base === undefined) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  const last = components.length - 1;
  const visit = (dir: string, index: number): void => {
    const globstar = index >= globstarFrom && index < last && components[index] === "**";
    // Zero directories: the next component matches here.
    if (globstar) visit(dir, index + 1);
    for (const entry of tree.entries(dir)) {
      const p = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (globstar) {
        // One more directory, still on `**`.
        if (entry.isDirectory()) visit(p, index);
        continue;
      }
      if (!goMatch(components[index], entry.name)) continue;
      if (index === last) {
        if (!seen.has(p)) out.push(p);
        seen.add(p);
      } else if (entry.isDirectory()) visit(p, index + 1);
    }
  };
  visit(base, firstWild);
  return out;
}

/**
 * The number of components of a `COPY --parents` pattern's pivot (the part before "/./"), 0 when
 * it has none. Components from there on match as BuildKit's include patterns do (`**`).
 */
export function parentsPivotDepth(pattern: string): number {
  const at = pattern.indexOf("/./");
  if (at < 0) return 0;
  const pivot = cleanPath(pattern.slice(0, at)).replace(/^\/+/, "");
  return pivot === "" || pivot === "." ? 0 : pivot.split("/").length;
}
