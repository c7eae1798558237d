import type * as fs from "node:fs";
import * as path from "node:path";
import type { ContextSource } from "./context-file";
import type { ContextTree } from "./context-tree";
import type { PathVerdict } from "./context-filter";
import { ContextError } from "./errors";

/** One selected path with its lstat, before it is dressed up as a ContextFile. */
export interface SelectedPath {
  source: number;
  /** Destination-relative path ("." for a directory source itself). */
  path: string;
  contextPath: string;
  stat: fs.BigIntStats;
}

/**
 * Every path the sources select, in a fixed order: sources in order; a directory source as
 * itself (".") then its visible contents depth first, names in byte order (like a tar of it);
 * a single-entry source as its base name. Symlinks below a directory source are not followed.
 */
export function* walkSources(tree: ContextTree, sources: readonly ContextSource[]): Generator<SelectedPath> {
  for (let index = 0; index < sources.length; index++) {
    const source = sources[index];
    const stat = tree.lstat(source.target);
    if (stat === undefined) {
      throw new ContextError(
        "CONTEXT_SOURCE_NOT_FOUND",
        `file not found in build context: ${source.pattern}`,
        {
          pattern: source.pattern,
        },
      );
    }
    if (source.kind === "entry") {
      yield { source: index, path: path.posix.basename(source.path), contextPath: source.target, stat };
      continue;
    }
    yield { source: index, path: ".", contextPath: source.target, stat };
    yield* walkDirectory(tree, index, source.target, "", tree.verdict(source.target));
  }
}

function* walkDirectory(
  tree: ContextTree,
  source: number,
  dir: string,
  prefix: string,
  verdict: PathVerdict,
): Generator<SelectedPath> {
  for (const entry of tree.list(dir, verdict)) {
    const rel = prefix + entry.name;
    yield { source, path: rel, contextPath: entry.path, stat: entry.stat };
    if (entry.stat.isDirectory()) yield* walkDirectory(tree, source, entry.path, rel + "/", entry.verdict);
  }
}
