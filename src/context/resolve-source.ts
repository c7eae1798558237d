import type * as fs from "node:fs";
import * as path from "node:path";
import { closeMatches } from "./close-match";
import type { ContextSource } from "./context-file";
import type { ContextTree } from "./context-tree";
import { ContextError } from "./errors";
import { BadPatternError, hasWildcard } from "./go-match";
import { cleanPath } from "./go-path";
import { expandWildcards, parentsPivotDepth } from "./wildcards";
import { RootfsError } from "../rootfs/errors";
import { resolveInRoot } from "../rootfs/resolve";

export interface ResolveOptions {
  /**
   * A wildcard that matches nothing is skipped rather than an error. BuildKit's Dockerfile
   * frontend sets AllowEmptyWildcard for COPY and ADD, so this defaults to true.
   */
  allowEmptyWildcard?: boolean;
  /** `COPY --parents` patterns: `**` below the "/./" pivot matches any depth (see expandWildcards). */
  parents?: boolean;
}

/** Where a context path leads once its symlinks are followed. */
interface Resolved {
  target: string;
  stat: fs.BigIntStats;
}

/** Paths examined for "did you mean" suggestions; enough for typical contexts, bounded for huge ones. */
const SUGGESTION_SCAN_LIMIT = 20000;

/**
 * Expands COPY/ADD sources against the context, as BuildKit's copy does: wildcards in Go
 * filepath.Match syntax (a component without one is taken literally), paths relative to the
 * context root whatever their leading "/", the source itself followed if it is a symlink. Ignored
 * paths are invisible. Throws ContextError for a source that is missing, climbs out of the
 * context or follows a symlink out of it.
 */
export function resolveSources(
  tree: ContextTree,
  patterns: readonly string[],
  options: ResolveOptions = {},
  ignoreFile?: string,
): ContextSource[] {
  const out: ContextSource[] = [];
  for (const pattern of patterns) {
    const { rel, wantDir } = normalizeSource(pattern);
    const components = rel === "." ? [] : rel.split("/");
    const firstWild = components.findIndex(hasWildcard);
    if (firstWild === -1) {
      const resolved = resolvePath(tree, rel, pattern);
      if (resolved === undefined || (wantDir && !resolved.stat.isDirectory())) {
        throw notFound(tree, pattern, rel, ignoreFile);
      }
      out.push(toSource(pattern, rel, resolved));
      continue;
    }
    const globstarFrom = options.parents === true ? parentsPivotDepth(pattern) : Infinity;
    const matches = expandInContext(tree, components, firstWild, pattern, globstarFrom);
    let found = 0;
    for (const match of matches) {
      const resolved = resolvePath(tree, match, pattern);
      if (resolved === undefined) throw notFound(tree, pattern, match, ignoreFile);
      if (wantDir && !resolved.stat.isDirectory()) continue;
      out.push(toSource(pattern, match, resolved));
      found++;
    }
    if (found === 0 && options.allowEmptyWildcard === false) throw notFound(tree, pattern, rel, ignoreFile);
  }
  return out;
}

function toSource(pattern: string, rel: string, resolved: Resolved): ContextSource {
  return {
    pattern,
    path: rel,
    target: resolved.target,
    kind: resolved.stat.isDirectory() ? "directory" : "entry",
  };
}

/**
 * The source relative to the context root. A leading "/" means the root; ".." may not climb
 * above it (BuildKit would clamp it silently; a source outside the context is almost always a
 * mistake, so we refuse it).
 */
export function normalizeSource(pattern: string): { rel: string; wantDir: boolean } {
  let depth = 0;
  for (const part of pattern.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (depth === 0) {
        throw new ContextError(
          "CONTEXT_SOURCE_OUTSIDE",
          `refuse source ${pattern}: it is outside the build context`,
          {
            pattern,
          },
        );
      }
      depth--;
    } else depth++;
  }
  let rel = cleanPath(pattern);
  if (rel.startsWith("/")) rel = rel.slice(1) || ".";
  const wantDir = rel !== "." && (pattern.endsWith("/") || pattern.endsWith("/."));
  return { rel, wantDir };
}

/**
 * Follows `rel` with the rootfs resolver, symlinks included (the last one too), never leaving the
 * context: a relative link that climbs above the root, or an absolute one to a host path outside
 * it, is an error. Returns undefined if the path, or any link on the way, is missing or ignored.
 */
export function resolvePath(tree: ContextTree, rel: string, pattern: string): Resolved | undefined {
  let r;
  try {
    r = resolveInRoot(
      {
        kind: (p) => {
          const verdict = tree.verdict(p);
          if (verdict.pruned) return undefined;
          const st = tree.lstat(p);
          if (st === undefined || (st.isSymbolicLink() && verdict.excluded)) return undefined;
          return st.isDirectory() ? "directory" : st.isSymbolicLink() ? "symlink" : "other";
        },
        readlink: (p) => tree.readlink(p),
      },
      rel,
      {
        escape: "refuse",
        // Links in the context hold host paths: one into the context is followed from its root.
        absoluteTarget: (target, link) => {
          const inside = path.relative(tree.root, target);
          if (inside.startsWith("..") || path.isAbsolute(inside)) throw outside(pattern, rel, link, target);
          return inside.split(path.sep).join("/");
        },
      },
    );
  } catch (err) {
    if (err instanceof RootfsError && err.code === "ROOTFS_PATH_ESCAPE") throw outside(pattern, rel);
    throw err;
  }
  if (r.kind === undefined || r.notDirectory !== undefined) return undefined;
  const target = r.path === "" ? "." : r.path;
  const stat = tree.lstat(target);
  if (stat === undefined) return undefined;
  if (target !== "." && !tree.isVisible(target, stat)) return undefined;
  return { target, stat };
}

/** The wildcard expander over the context: visible entries only, links followed inside it. */
function expandInContext(
  tree: ContextTree,
  components: string[],
  firstWild: number,
  pattern: string,
  globstarFrom: number,
): string[] {
  const rel = (p: string): string => (p === "" ? "." : p);
  try {
    return expandWildcards(
      {
        directory: (p) => {
          const r = resolvePath(tree, rel(p), pattern);
          if (r === undefined || !r.stat.isDirectory()) return undefined;
          return r.target === "." ? "" : r.target;
        },
        entries: (dir) =>
          tree.list(rel(dir)).map((e) => ({ name: e.name, isDirectory: () => e.stat.isDirectory() })),
      },
      components,
      firstWild,
      globstarFrom,
    );
  } catch (err) {
    if (!(err instanceof BadPatternError)) throw err;
    throw new ContextError("CONTEXT_BAD_PATTERN", `expand source ${pattern}: syntax error in pattern`, {
      pattern,
      cause: err,
    });
  }
}

function outside(pattern: string, rel: string, link?: string, target?: string): ContextError {
  const via = link === undefined ? "" : ` (symlink ${link} points to ${target})`;
  return new ContextError(
    "CONTEXT_SOURCE_OUTSIDE",
    `resolve source ${pattern}: ${rel} leads outside the build context${via}`,
    {
      pattern,
    },
  );
}

function notFound(
  tree: ContextTree,
  pattern: string,
  rel: string,
  ignoreFile: string | undefined,
): ContextError {
  let hint = "";
  const st = rel === "." ? undefined : tree.lstat(rel);
  if (st !== undefined && !tree.isVisible(rel, st)) {
    hint = ` (excluded by ${ignoreFile ?? ".dockerignore"})`;
  } else {
    const suggestions = closeMatches(rel, visiblePaths(tree, SUGGESTION_SCAN_LIMIT));
    if (suggestions.length > 0) hint = ` (did you mean ${suggestions.join(" or ")}?)`;
  }
  return new ContextError("CONTEXT_SOURCE_NOT_FOUND", `file not found in build context: ${pattern}${hint}`, {
    pattern,
  });
}

/** Visible paths, breadth first, at most `limit` of them. */
function* visiblePaths(tree: ContextTree, limit: number): Generator<string> {
  const queue = ["."];
  let seen = 0;
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    for (const entry of tree.list(dir)) {
      if (seen++ >= limit) return;
      yield entry.path;
      if (entry.stat.isDirectory()) queue.push(entry.path);
    }
  }
}
