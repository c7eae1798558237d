import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import type { BuildContext, ContextFile, ContextSource } from "../context";
import type { CopyGroup, CopyItem } from "./copy-item";
import { ancestorsOf, pivotOfMatch, splitParents } from "./parents-path";

/** A context source with how it is laid out. */
export interface ContextGroupSource {
  source: ContextSource;
  group: CopyGroup;
}

/**
 * CopyGroups for sources in the build context. Context files are always owned by root in the
 * layer unless --chown says otherwise (BuildKit's local source sends them as 0:0).
 */
export function contextGroups(
  context: BuildContext,
  patterns: readonly string[],
  parents: boolean,
): ContextGroupSource[] {
  const out: ContextGroupSource[] = [];
  for (const raw of patterns) {
    const split = parents ? splitParents(raw) : undefined;
    // The pattern as written: the resolver finds its pivot ("/./") for `**` below it.
    for (const source of context.resolveSources([raw], { parents })) {
      const group: CopyGroup = {
        kind: source.kind,
        keepOwner: false,
        chmod: true,
        items: context.walk([source]),
      };
      if (split !== undefined) {
        const { pivot, below } = pivotOfMatch(split, source.path === "." ? "" : source.path);
        group.parentsPath = below;
        group.parentDirs = parentDirs(context.root, pivot, below);
      }
      out.push({ source, group });
    }
  }
  return out;
}

/**
 * Metadata of the directories between the pivot and a --parents source, read with lstat one
 * component at a time so no symlink is followed (a component that is not a real directory, and
 * everything below it, is left out: those directories are created with default metadata).
 */
function parentDirs(root: string, pivot: string, below: string): Map<string, CopyItem> {
  const out = new Map<string, CopyItem>();
  let host = root;
  for (const part of pivot === "" ? [] : pivot.split("/")) {
    host = path.join(host, part);
    if (!isRealDir(host)) return out;
  }
  for (const dir of ancestorsOf(below)) {
    const st = lstat(path.join(host, dir));
    if (st === undefined || !st.isDirectory()) return out;
    out.set(dir, {
      path: dir,
      type: "directory",
      mode: st.mode & 0o7777,
      uid: 0,
      gid: 0,
      mtimeMs: st.mtimeMs,
      size: 0,
      open: () => Readable.from([]),
    });
  }
  return out;
}

function isRealDir(host: string): boolean {
  return lstat(host)?.isDirectory() ?? false;
}

function lstat(host: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(host);
  } catch {
    return undefined;
  }
}

/** The single file an "entry" context source selects. */
export async function singleFile(
  context: BuildContext,
  source: ContextSource,
): Promise<ContextFile | undefined> {
  for await (const file of context.walk([source])) return file;
  return undefined;
}
