import { hasWildcard } from "../context/go-match";
import { cleanPath } from "../context/go-path";

/**
 * `COPY --parents` keeps each source's path below a pivot: the part of the pattern before
 * "/./" (rsync --relative style), or the source root when there is none. `COPY --parents
 * x/./y/*.txt /d/` copies x/y/a.txt to /d/y/a.txt; `COPY --parents x/y/a.txt /d/` to /d/x/y/a.txt.
 */
export interface ParentsPattern {
  /** Root-relative pivot, "" for the root. */
  pivot: string;
  /** The pattern without its pivot marker, to resolve as an ordinary source. */
  pattern: string;
}

export function splitParents(pattern: string): ParentsPattern {
  const at = pattern.indexOf("/./");
  if (at < 0) return { pivot: "", pattern };
  const pivot = rootRelative(pattern.slice(0, at));
  return { pivot, pattern: `${pattern.slice(0, at)}/${pattern.slice(at + 3)}` };
}

/**
 * A matched source's own pivot and its path below it. A pivot with wildcards (`a/b?/./c`) is
 * matched like any source component, one directory per component, so the match's first
 * components are its pivot; a literal pivot is a prefix of the path as named.
 */
export function pivotOfMatch(split: ParentsPattern, p: string): { pivot: string; below: string } {
  if (!split.pivot.split("/").some(hasWildcard))
    return { pivot: split.pivot, below: belowPivot(split.pivot, p) };
  const parts = rootRelative(p).split("/");
  const depth = split.pivot.split("/").length;
  return { pivot: parts.slice(0, depth).join("/"), below: parts.slice(depth).join("/") };
}

/** `p` (a matched source path, as named) relative to `pivot`; "" when it is the pivot. */
export function belowPivot(pivot: string, p: string): string {
  const rel = rootRelative(p);
  if (pivot === "") return rel;
  if (rel === pivot) return "";
  if (rel.startsWith(`${pivot}/`)) return rel.slice(pivot.length + 1);
  return rel.slice(rel.lastIndexOf("/") + 1);
}

/** Clean, root-relative ("" for the root), whatever the leading "/" or "./". */
export function rootRelative(p: string): string {
  const c = cleanPath(p).replace(/^\/+/, "");
  return c === "." ? "" : c;
}

/** The ancestors of a relative path, outermost first ("a/b/c" → ["a", "a/b"]). */
export function ancestorsOf(rel: string): string[] {
  const out: string[] = [];
  for (let i = rel.indexOf("/"); i >= 0; i = rel.indexOf("/", i + 1)) out.push(rel.slice(0, i));
  return out;
}
