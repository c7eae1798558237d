import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { removeDirAtomic, renameIntoPlace, withTemp, writeFileAtomic } from "./atomic-file";
import { digestHex, isDigest } from "./digest";
import { isErrno, listDir } from "./errors";
import { tempPath, treeBytes } from "./temp-files";

/**
 * `layers/`: layers unpacked once into content-addressed directories, derived from their blobs.
 *
 *   layers/<diffID hex>/        the layer's files (overlayfs whiteouts), a lower dir for RUN
 *   layers/<diffID hex>.json    {"diffId", "blobs": [compressed digests it was unpacked from]}
 *
 * Guarantees:
 * - A directory appears only complete: it is unpacked under a temp name and renamed into place;
 *   when two builds race, the first rename wins and the other copy is discarded.
 * - Every build that uses a directory touches its `.json` first (after its session started), so
 *   prune keeps what a live build may have mounted: entries used since the oldest live session
 *   began are never removed.
 * - Removal renames the directory to a temp name before deleting it, so a build that looks it up
 *   meanwhile sees it whole or not at all (and unpacks it again).
 * The data is derived: losing any of it costs only a re-unpack from the blob.
 */
export interface LayerDirEntry {
  /** The diffID, or undefined for a directory without a readable `.json` (older tsbuild). */
  diffId: string | undefined;
  dir: string;
  /** Blobs the layer was unpacked from; empty when unknown. */
  blobs: string[];
  /** When a build last used it (the `.json`'s mtime, else the directory's). */
  lastUsedMs: number;
}

interface LayerMeta {
  diffId: string;
  blobs: string[];
}

export class LayerDirs {
  constructor(readonly dir: string) {}

  /** Where `diffId`'s files live (whether or not unpacked yet). */
  path(diffId: string): string {
    return path.join(this.dir, digestHex(diffId));
  }

  /**
   * The directory of `diffId`, unpacked from `blob` by `unpack(tmpDir)` unless it is there
   * already; either way the use is recorded for prune.
   */
  async ensure(diffId: string, blob: string, unpack: (tmpDir: string) => Promise<void>): Promise<string> {
    const final = this.path(diffId);
    // Synchronous lookups: a RUN stacks every layer of its stage, and a thread-pool round trip
    // per call cost more than the calls (a 9-layer stage: 6-8 ms before the first RUN).
    if (!fs.existsSync(final)) {
      await fsp.mkdir(this.dir, { recursive: true });
      await withTemp(tempPath(this.dir, path.basename(final)), async (tmp) => {
        await fsp.mkdir(tmp);
        await unpack(tmp);
        await renameIntoPlace(tmp, final, { keepExisting: true });
      });
    }
    await this.markUsed(diffId, blob);
    return final;
  }

  /**
   * Makes the directory `source` (on this file system, holding `diffId`'s files as an unpacked
   * directory would: a RUN's overlay upper dir) the layer's directory by renaming it, unless one
   * is there already: containerd's overlay snapshotter commits a snapshot the same way, without a
   * copy. Returns whether it was taken; a source not taken is left as it was.
   */
  async adopt(diffId: string, blob: string, source: string): Promise<boolean> {
    const final = this.path(diffId);
    if (fs.existsSync(final)) return false;
    await fsp.mkdir(this.dir, { recursive: true });
    let taken: boolean;
    try {
      // rename(2) is atomic: the directory appears complete or not at all, as ensure()'s do.
      taken = await renameIntoPlace(source, final, { keepExisting: true });
    } catch (err) {
      if (isErrno(err, "EXDEV")) return false;
      throw err;
    }
    if (taken) await this.markUsed(diffId, blob);
    return taken;
  }

  /** Records that a build uses `diffId`'s directory now, unpacked from `blob`. */
  async markUsed(diffId: string, blob: string): Promise<void> {
    const file = `${this.path(diffId)}.json`;
    const meta = readMeta(file);
    if (meta?.diffId === diffId && meta.blobs.includes(blob)) {
      const now = new Date();
      fs.utimesSync(file, now, now);
      return;
    }
    const blobs = [blob, ...(meta?.diffId === diffId ? meta.blobs.filter((b) => b !== blob) : [])];
    await writeFileAtomic(file, JSON.stringify({ diffId, blobs } satisfies LayerMeta), { durable: false });
  }

  /** Every unpacked directory (temp names excluded; a `.json` without its directory is removed). */
  async list(): Promise<LayerDirEntry[]> {
    const names = await listDir(this.dir);
    const dirs = new Set(names.filter((n) => /^[a-f0-9]{64}$/.test(n)));
    const out: LayerDirEntry[] = [];
    for (const name of names) {
      const m = /^([a-f0-9]{64})\.json$/.exec(name);
      if (m !== null && !dirs.has(m[1])) await fsp.rm(path.join(this.dir, name), { force: true });
    }
    for (const hex of dirs) {
      const dir = path.join(this.dir, hex);
      const metaFile = `${dir}.json`;
      const meta = readMeta(metaFile);
      const st = await fsp.lstat(meta ? metaFile : dir).catch(() => undefined);
      if (st === undefined) continue;
      const valid = meta?.diffId === `sha256:${hex}`;
      out.push({
        diffId: valid ? meta.diffId : undefined,
        dir,
        blobs: valid ? meta.blobs : [],
        lastUsedMs: st.mtimeMs,
      });
    }
    return out;
  }

  /** Bytes an entry takes (files, directories and its `.json`). */
  async bytes(entry: LayerDirEntry): Promise<number> {
    return (await treeBytes(entry.dir)) + (await treeBytes(`${entry.dir}.json`));
  }

  /** Removes an entry; returns the bytes freed. */
  async remove(entry: LayerDirEntry): Promise<number> {
    const bytes = await this.bytes(entry);
    await removeDirAtomic(this.dir, entry.dir);
    await fsp.rm(`${entry.dir}.json`, { force: true });
    return bytes;
  }
}

/** A few hundred bytes: read synchronously (see ensure). */
function readMeta(file: string): LayerMeta | undefined {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || !("diffId" in value) || !("blobs" in value))
    return undefined;
  const { diffId, blobs } = value;
  if (!isDigest(diffId) || !Array.isArray(blobs) || !blobs.every(isDigest)) return undefined;
  return { diffId, blobs };
}
