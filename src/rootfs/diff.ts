import * as fs from "node:fs";
import * as path from "node:path";
import {
  deviceEntry,
  directoryEntry,
  fileEntry,
  hardlinkEntry,
  openContentPath,
  symlinkEntry,
  type LayerEntry,
  type LayerEntryBase,
} from "../image/layer-entry";
import { RootfsError } from "./errors";
import { contentXattrs, isOpaqueDir, isWhiteout } from "./overlay";
import { errorMessage } from "../errors";

/**
 * The changes of a RUN step, read from its overlay upper dir as LayerEntry values, parents before
 * children, siblings in byte order of their names (deterministic for the layer writer):
 * - overlay whiteouts (char device 0/0) → whiteout entries;
 * - opaque directories (./overlay.ts: the attribute this process's mounts use) → the directory,
 *   then an opaque entry;
 * - a second path to an inode already seen → a hardlink entry to the first path;
 * - xattrs except overlayfs's own bookkeeping.
 * An empty upper dir yields nothing. The upper dir must not be mounted while this runs.
 */
export async function* diffUpperDir(upperDir: string): AsyncGenerator<LayerEntry> {
  const seenInodes = new Map<string, string>();
  yield* walk(upperDir, "", seenInodes);
}

async function* walk(
  root: string,
  dirRel: string,
  seenInodes: Map<string, string>,
): AsyncGenerator<LayerEntry> {
  const dirHost = dirRel === "" ? root : path.join(root, dirRel);
  let names: string[];
  try {
    names = await fs.promises.readdir(dirHost);
  } catch (err) {
    throw diffError(dirHost, err);
  }
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const rel = dirRel === "" ? name : `${dirRel}/${name}`;
    const host = path.join(root, rel);
    let stats: fs.Stats;
    try {
      // Sync lstat: one threadpool round trip per entry made the walk 5x slower
      // (20,000 files: 925 ms async, 177 ms sync, xattrs included).
      stats = fs.lstatSync(host);
    } catch (err) {
      throw diffError(host, err);
    }
    if (isWhiteout(stats)) {
      yield { type: "whiteout", path: rel };
      continue;
    }
    const base = baseOf(rel, host, stats);
    if (stats.isDirectory()) {
      yield directoryEntry(base);
      if (isOpaqueDir(host)) yield { type: "opaque", path: rel };
      yield* walk(root, rel, seenInodes);
      continue;
    }
    if (stats.nlink > 1) {
      const key = `${stats.dev}:${stats.ino}`;
      const first = seenInodes.get(key);
      if (first !== undefined) {
        yield hardlinkEntry(base, first);
        continue;
      }
      seenInodes.set(key, rel);
    }
    if (stats.isFile()) {
      // The writer reads the file itself (contentPath): small ones in one synchronous read, big
      // ones in 1 MiB reads, no stream per file. Nothing runs in the container any more, so the
      // file stays as lstat saw it (the writer opens it O_NOFOLLOW and checks the size anyway).
      yield fileEntry(base, stats.size, openContentPath, host);
    } else if (stats.isSymbolicLink()) {
      yield symlinkEntry(base, await fs.promises.readlink(host));
    } else if (stats.isCharacterDevice() || stats.isBlockDevice() || stats.isFIFO()) {
      const type = stats.isFIFO() ? "fifo" : stats.isCharacterDevice() ? "char-device" : "block-device";
      yield deviceEntry(base, type, major(stats.rdev), minor(stats.rdev));
    }
    // Sockets cannot be stored in a layer (tar has no type for them); Docker skips them too.
  }
}

function baseOf(rel: string, host: string, stats: fs.Stats): LayerEntryBase {
  const base: LayerEntryBase = {
    path: rel,
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    mtimeMs: stats.mtimeMs,
  };
  const xattrs = contentXattrs(host);
  if (xattrs !== undefined) base.xattrs = xattrs;
  return base;
}

/** Linux dev_t encoding (glibc's gnu_dev_major/minor). */
function major(rdev: number): number {
  const big = BigInt(rdev);
  return Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
}
function minor(rdev: number): number {
  const big = BigInt(rdev);
  return Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
}

function diffError(p: string, err: unknown): RootfsError {
  return new RootfsError("ROOTFS_IO", `read upper dir entry ${p}: ${errorMessage(err)}`, p, {
    cause: err,
  });
}
