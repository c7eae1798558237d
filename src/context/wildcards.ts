import { goMatch, validatePattern } from "./go-match";

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
 */
export function expandWildcards(
  tree: WildcardTree,
  components: readonly string[],
  firstWild: number,
): string[] {
  for (const c of components.slice(firstWild)) validatePattern(c);
  const base = tree.directory(components.slice(0, firstWild).join("/"));
  if (base === undefined) return [];
  const out: string[] = [];
  const visit = (dir: string, index: number): void => {
    for (const entry of tree.entries(dir)) {
      if (!goMatch(components[index], entry.name)) continue;
      const p = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (index === components.length - 1) out.push(p);
      else if (entry.isDirectory()) visit(p, index + 1);
    }
  };
  visit(base, firstWild);
  return out;
}
