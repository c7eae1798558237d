import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { isErrno } from "./errors";
import { tempPath, tempSibling } from "./temp-files";

/**
 * The one way tsbuild puts a file or directory in place: write it under a temp name in the
 * destination's directory (same filesystem, so the rename is atomic), then rename it over the
 * destination. A reader sees the old content or the new, never a torn file; a failed or
 * cancelled write leaves nothing (the temp is removed); a killed writer leaves only a temp
 * whose name says who wrote it, which the next sweep of that directory removes (temp-files.ts).
 */
export interface RenameOptions {
  /** fsync the directory after the rename so it survives a power cut (~10 ms here). */
  durable?: boolean;
  /**
   * The destination is a directory another writer may have put in place first: keep theirs and
   * discard ours (rename fails with ENOTEMPTY/EEXIST), as content-addressed directories may.
   */
  keepExisting?: boolean;
}

/**
 * Runs `body` with the temp path `tmp` (from tempPath/tempSibling), and removes whatever is left
 * at that path afterwards, whether `body` renamed it away, failed or was interrupted.
 */
export async function withTemp<T>(tmp: string, body: (tmp: string) => Promise<T>): Promise<T> {
  try {
    return await body(tmp);
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Removes the directory `dir` (in `parent`) so that a reader sees it whole or not at all: renamed
 * to a temp name first, then deleted. A `dir` already gone is not an error.
 */
export async function removeDirAtomic(parent: string, dir: string): Promise<void> {
  await withTemp(tempPath(parent, path.basename(dir)), async (doomed) => {
    try {
      await fsp.rename(dir, doomed);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  });
}

/** Renames `tmp` over `dest`. Returns false when `keepExisting` kept another writer's `dest`. */
export async function renameIntoPlace(
  tmp: string,
  dest: string,
  options: RenameOptions = {},
): Promise<boolean> {
  try {
    await fsp.rename(tmp, dest);
  } catch (err) {
    if (options.keepExisting === true && (isErrno(err, "ENOTEMPTY") || isErrno(err, "EEXIST"))) return false;
    throw err;
  }
  if (options.durable === true) await fsyncDir(path.dirname(dest));
  return true;
}

/**
 * Writes `dest` through a temp sibling: `produce(tmp)` creates the file or directory at `tmp`,
 * which is then renamed over `dest`. Returns false when `keepExisting` kept another writer's.
 */
export async function replaceAtomically(
  dest: string,
  produce: (tmp: string) => Promise<void>,
  options: RenameOptions = {},
): Promise<boolean> {
  return withTemp(tempSibling(dest), async (tmp) => {
    await produce(tmp);
    return renameIntoPlace(tmp, dest, options);
  });
}

/**
 * Small files (records, index.json, stamps, configs) replaced atomically. `durable` (the default)
 * fsyncs the file before the rename and the directory after it; `durable: false` skips both, for
 * files whose loss after a power cut is harmless because readers treat an unparsable or missing
 * file as absent (step records, caches). `mode` is the new file's permission bits.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Buffer,
  options: { durable?: boolean; mode?: number } = {},
): Promise<void> {
  const durable = options.durable ?? true;
  await replaceAtomically(
    file,
    async (tmp) => {
      const fh = await fsp.open(tmp, "wx", options.mode ?? 0o644);
      try {
        await fh.writeFile(data);
        if (durable) await fh.sync();
      } finally {
        await fh.close();
      }
    },
    { durable },
  );
}

/**
 * writeFileAtomic with `durable: false`, in synchronous calls: for the small files a build writes
 * at every step (records, step history), where each thread-pool round trip of the async version
 * (open, write, close, rename, the temp's removal) cost more than the write itself.
 */
export function writeFileAtomicSync(
  file: string,
  data: string | Buffer,
  options: { mode?: number } = {},
): void {
  const tmp = tempSibling(file);
  try {
    fs.writeFileSync(tmp, data, { flag: "wx", mode: options.mode ?? 0o644 });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Makes a rename/unlink in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
