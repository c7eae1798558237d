import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic-file";
import type { BlobStore } from "./blob-store";
import { digestHex, isDigest } from "./digest";
import { isErrno, listDir } from "./errors";
import type { StoreLock } from "./store-lock";
import { isTempName } from "./temp-files";
import { isRecord } from "../guards";

/** Which compressed form of which blob: the cache key of a compressed layer. */
export interface VariantKey {
  /** The blob it was made from: an uncompressed layer tar (digest = diffID), or a pulled blob. */
  source: string;
  /** "gzip", "zstd", "uncompressed". */
  compression: string;
  /** The effective level (defaults resolved), so that "default" and its number share one entry. */
  level: number;
}

/** A compressed layer made from `source`, stored in the blob store as `digest`. */
export interface CompressedVariant extends VariantKey {
  digest: string;
  size: number;
}

export interface VariantEntry {
  file: string;
  variant: CompressedVariant;
  /** Last made or used (prune's LRU order). */
  mtimeMs: number;
  bytes: number;
}

/**
 * Compressed layers made on export or push: `<cache>/compressed/<source hex>-<compression>-<level>.json`
 * names the blob-store blob that holds `source` compressed that way. Layers are cached
 * uncompressed; the first export that needs gzip or zstd makes the blob, later ones reuse it.
 *
 * Guarantees (tested in test/cache/compressed-blobs.test.ts):
 * 1. Ordering: `put()` writes an entry only after its blob is stored, under the store lock, so an
 *    entry never names a missing blob (a crash in between leaves garbage for prune).
 * 2. Self-healing reads: `get()` treats an unparsable entry, or one whose blob is gone or has
 *    another size, as a miss and deletes it.
 * 3. A hit refreshes the entry's and the blob's mtime (prune keeps recently used variants and
 *    anything a running build touched).
 * 4. Entries are derived data: prune removes those whose source or blob is gone, and with
 *    --all / --keep-storage / --filter until, unused ones with their blobs (see prune.ts).
 */
export class CompressedBlobs {
  constructor(
    /** `<cache>/compressed` (CacheStore.paths.compressed). */
    readonly dir: string,
    private readonly blobs: BlobStore,
    private readonly lock: StoreLock,
  ) {}

  pathFor(key: VariantKey): string {
    return path.join(this.dir, `${digestHex(key.source)}-${key.compression}-${key.level}.json`);
  }

  async get(key: VariantKey): Promise<CompressedVariant | undefined> {
    const file = this.pathFor(key);
    return this.lock.withLock(async () => {
      const variant = await readVariant(file);
      const matches =
        variant !== undefined &&
        variant.source === key.source &&
        variant.compression === key.compression &&
        variant.level === key.level &&
        (await this.blobs.stat(variant.digest))?.size === variant.size;
      if (!matches) {
        await fsp.rm(file, { force: true });
        return undefined;
      }
      const now = new Date();
      await fsp.utimes(file, now, now).catch(() => undefined);
      await this.blobs.touch(variant.digest);
      return variant;
    });
  }

  /** Records a variant whose blob is already in the blob store. */
  async put(variant: CompressedVariant): Promise<void> {
    await this.lock.withLock(async () => {
      if ((await this.blobs.stat(variant.digest))?.size !== variant.size) return;
      await fsp.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(this.pathFor(variant), JSON.stringify(variant), { durable: false });
    });
  }

  /** Every entry (temp names skipped; malformed entries reported with `variant` undefined). */
  async list(): Promise<Array<Omit<VariantEntry, "variant"> & { variant: CompressedVariant | undefined }>> {
    const out: Array<Omit<VariantEntry, "variant"> & { variant: CompressedVariant | undefined }> = [];
    for (const name of await listDir(this.dir)) {
      if (isTempName(name) || !name.endsWith(".json")) continue;
      const file = path.join(this.dir, name);
      const st = await fsp.lstat(file).catch(() => undefined);
      if (st?.isFile() !== true) continue;
      out.push({ file, variant: await readVariant(file), mtimeMs: st.mtimeMs, bytes: st.size });
    }
    return out;
  }

  /** Removes an entry file (not its blob). Returns false if it was not there. */
  async deleteFile(file: string): Promise<boolean> {
    try {
      await fsp.unlink(file);
      return true;
    } catch (err) {
      if (isErrno(err, "ENOENT")) return false;
      throw err;
    }
  }
}

async function readVariant(file: string): Promise<CompressedVariant | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await fsp.readFile(file, "utf8"));
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { source, compression, level, digest, size } = value;
  if (!isDigest(source) || !isDigest(digest) || typeof compression !== "string") return undefined;
  if (typeof level !== "number" || !Number.isInteger(level)) return undefined;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return undefined;
  return { source, compression, level, digest, size };
}
