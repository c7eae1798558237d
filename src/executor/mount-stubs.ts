import * as fs from "node:fs";
import * as path from "node:path";
import type { LayerView } from "../rootfs/layer-view";
import type { MountStubs } from "./rootfs-planner";
import { isOpaqueDir } from "../rootfs/overlay";

/**
 * Removes from the upper dir what the sandbox created only to mount on (like BuildKit's mount
 * stub cleaner), so an otherwise unchanged step diffs to nothing: empty stub directories, empty
 * stub files, then directories overlayfs copied up only to hold a stub (still empty, not opaque,
 * same mode and owner as in the lower layers). Anything the command changed is kept.
 */
export async function removeMountStubs(upperDir: string, lower: LayerView, stubs: MountStubs): Promise<void> {
  for (const rel of [...stubs.created].reverse()) {
    const p = path.join(upperDir, rel);
    const stats = await lstatOrUndefined(p);
    if (stats === undefined) continue;
    if (stats.isDirectory()) await rmdirIfEmpty(p);
    else if (stats.isFile() && stats.size === 0) await fs.promises.unlink(p);
  }
  const parents = [...stubs.parents].sort((a, b) => b.split("/").length - a.split("/").length);
  for (const rel of parents) {
    const p = path.join(upperDir, rel);
    const stats = await lstatOrUndefined(p);
    const original = lower.lstat(rel);
    if (stats === undefined || original === undefined || !stats.isDirectory()) continue;
    const sameMeta =
      original.type === "directory" &&
      original.mode === (stats.mode & 0o7777) &&
      original.uid === stats.uid &&
      original.gid === stats.gid;
    if (sameMeta && !isOpaqueDir(p)) await rmdirIfEmpty(p);
  }
}

async function rmdirIfEmpty(p: string): Promise<void> {
  try {
    await fs.promises.rmdir(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOENT") throw err;
  }
}

async function lstatOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
