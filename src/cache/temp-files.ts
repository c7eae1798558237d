import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { isErrno } from "./errors";
import { currentProcess, isProcessAlive, type ProcessIdentity } from "./process-liveness";

/**
 * The one naming scheme for everything tsbuild writes under a temporary name before renaming it
 * into place — blobs, records, unpacked layers, exports next to a user's destination — and the
 * one sweeper of what a dead writer left behind.
 *
 *   <base>.tmp-<pid>-<start>-<12 hex>
 *
 * `base` is the destination's own name when it is known ("index.json", "app.tar"), else empty.
 * `pid` and `start` (the /proc start time, 0 where unknown) name the writer, so a later process
 * removes a crashed writer's leftovers (kill -9) at once instead of waiting for them to age, and
 * never touches a live writer's. Blob names are 64 hex characters and records end in ".json", so
 * a temp name is never mistaken for either.
 */
export const TEMP_MARK = ".tmp-";

const TEMP_NAME = /^(.*)\.tmp-(\d+)-(\d+)-[0-9a-f]{12}$/;

/** Default age after which a temp name without an owner (older tsbuild versions) is swept. */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/** A fresh temp name for `base`, owned by this process. */
export function tempName(base = ""): string {
  const me = currentProcess();
  return `${base}${TEMP_MARK}${me.pid}-${me.start ?? "0"}-${randomBytes(6).toString("hex")}`;
}

/** A fresh temp path inside `dir` for a destination named `base` (or nameless). */
export function tempPath(dir: string, base = ""): string {
  return path.join(dir, tempName(base));
}

/** A fresh temp path next to `dest` (same directory, so the rename is atomic). */
export function tempSibling(dest: string): string {
  return tempPath(path.dirname(dest), path.basename(dest));
}

/** Whether `name` is a temp name (this scheme or an older one). */
export function isTempName(name: string): boolean {
  return name.includes(TEMP_MARK) || name.endsWith(".tmp");
}

/**
 * Who wrote a temp name: the owner for this scheme, null for an older scheme (no owner recorded),
 * undefined when `name` is not a temp name. With `base` (a user's directory, where only this
 * scheme's names for that destination are surely ours) older schemes count as not temp names.
 */
export function tempOwner(name: string, base?: string): ProcessIdentity | null | undefined {
  const m = TEMP_NAME.exec(name);
  if (m !== null) {
    if (base !== undefined && m[1] !== base) return undefined;
    return { pid: Number(m[2]), start: m[3] === "0" ? null : m[3] };
  }
  if (base !== undefined) return undefined;
  return isTempName(name) ? null : undefined;
}

export interface SweepOptions {
  /**
   * Only this scheme's names for this destination ("app.tar" sweeps "app.tar.tmp-<pid>-…"), for
   * directories tsbuild does not own; default: every temp name (the cache dir's own folders).
   */
  base?: string;
  /** Every entry of `dir` is scratch: a name of no scheme counts as an ownerless temp. */
  everything?: boolean;
  /** Age after which an ownerless (older-scheme) temp is removed. */
  maxAgeMs?: number;
  /** Clock for tests. */
  now?: number;
}

export interface SweepResult {
  count: number;
  bytes: number;
}

/**
 * Removes temp files and directories in `dir` whose writer is dead, and ownerless ones older
 * than `maxAgeMs` (by mtime). A live writer's temps are kept. A missing dir is fine; an entry
 * that vanishes meanwhile (its writer renamed it) is skipped. Returns what was freed.
 */
export async function sweepDeadTemps(dir: string, options: SweepOptions = {}): Promise<SweepResult> {
  const result: SweepResult = { count: 0, bytes: 0 };
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return result;
    throw err;
  }
  const now = options.now ?? Date.now();
  const maxAge = options.maxAgeMs ?? STALE_TEMP_AGE_MS;
  for (const name of names) {
    let owner = tempOwner(name, options.base);
    if (owner === undefined && options.everything === true) owner = null;
    if (owner === undefined) continue;
    const file = path.join(dir, name);
    try {
      if (owner !== null) {
        if (isProcessAlive(owner)) continue;
      } else if (now - (await fsp.lstat(file)).mtimeMs < maxAge) continue;
      const bytes = await treeBytes(file);
      await fsp.rm(file, { recursive: true, force: true });
      result.count++;
      result.bytes += bytes;
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
  return result;
}

/**
 * Before writing `dest` (a user's file, not in the cache dir): removes the temp siblings a dead
 * earlier write to the same destination left (`dest.tmp-<pid>-…`, kill -9 mid-export). Only this
 * scheme's names for exactly this destination are touched. Best effort: never fails the write.
 */
export async function sweepDestination(dest: string): Promise<void> {
  await sweepDeadTemps(path.dirname(dest), { base: path.basename(dest) }).catch(() => undefined);
}

/** Apparent bytes of a file or directory tree (what `du -sb` counts), hard links once. */
export async function treeBytes(root: string, seen = new Set<string>()): Promise<number> {
  let st;
  try {
    st = await fsp.lstat(root);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return 0;
    throw err;
  }
  const id = `${st.dev}:${st.ino}`;
  if (seen.has(id)) return 0;
  seen.add(id);
  let bytes = st.size;
  if (st.isDirectory()) {
    let names: string[] = [];
    try {
      names = await fsp.readdir(root);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
    for (const name of names) bytes += await treeBytes(path.join(root, name), seen);
  }
  return bytes;
}
