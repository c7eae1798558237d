import * as fs from "node:fs";
import * as path from "node:path";
import { parentOf } from "../rootfs/entry-path";
import type { LayerView } from "../rootfs/layer-view";
import { isOpaqueDir } from "../rootfs/overlay";
import { errnoCode } from "../errors";

/**
 * What the runtime creates in the rootfs only to mount on, and its removal from the upper dir
 * after the run (BuildKit's mount stub cleaner), so an otherwise unchanged step diffs to nothing.
 * runc creates a missing mount point, following symlinks inside the root as securejoin does; the
 * merged LayerView resolves the same path with the same rules, so both agree on where it lands.
 */
export class MountStubs {
  /** Entries the runtime will create, parents before children (root-relative). */
  private readonly created: string[] = [];
  /** Existing directories that get a stub inside them (overlayfs copies them up for it). */
  private readonly parents = new Set<string>();

  constructor(private readonly view: LayerView) {}

  /** Records the mount point `target` (a container path) the runtime will create if missing. */
  add(target: string): void {
    const resolved = this.view.resolve(target);
    if (resolved.stat !== undefined || resolved.path === "") return;
    const parts = resolved.path.split("/");
    let firstMissing = true;
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join("/");
      if (this.created.includes(prefix)) {
        firstMissing = false;
        continue;
      }
      if (this.view.lstat(prefix) !== undefined) continue;
      this.created.push(prefix);
      if (firstMissing && parentOf(prefix) !== "") this.parents.add(parentOf(prefix));
      firstMissing = false;
    }
  }

  /**
   * Removes the stubs from `upperDir`: empty stub directories, empty stub files, then parents
   * overlayfs copied up only to hold a stub (now empty, not opaque, same mode and owner as
   * below). Anything the command changed is kept. Synchronous calls: a handful of tiny
   * lstat/rmdir calls, where a thread-pool round trip each cost more than the calls (~5 ms a step).
   */
  remove(upperDir: string, lower: LayerView): void {
    for (const rel of [...this.created].reverse()) {
      const p = path.join(upperDir, rel);
      const stats = lstatOrUndefined(p);
      if (stats === undefined) continue;
      if (stats.isDirectory()) rmdirIfEmpty(p);
      else if (stats.isFile() && stats.size === 0) fs.unlinkSync(p);
    }
    const parents = [...this.parents].sort((a, b) => b.split("/").length - a.split("/").length);
    for (const rel of parents) {
      const p = path.join(upperDir, rel);
      const stats = lstatOrUndefined(p);
      const original = lower.lstat(rel);
      if (stats === undefined || original === undefined || !stats.isDirectory()) continue;
      const sameMeta =
        original.type === "directory" &&
        original.mode === (stats.mode & 0o7777) &&
        original.uid === stats.uid &&
        original.gid === stats.gid;
      if (sameMeta && !isOpaqueDir(p)) rmdirIfEmpty(p);
    }
  }
}

function rmdirIfEmpty(p: string): void {
  try {
    fs.rmdirSync(p);
  } catch (err) {
    const code = errnoCode(err);
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOENT") throw err;
  }
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw err;
  }
}
