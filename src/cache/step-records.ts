import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic-file";
import type { BlobStore } from "./blob-store";
import { sha256Digest } from "./digest";
import { CacheError, isErrno, listDir } from "./errors";
import { type NewStepRecord, type StepRecord, isLayerRef, parseStepRecord } from "./step-record";
import type { StoreLock } from "./store-lock";
import { errorMessage } from "../errors";

/**
 * Step records: `<cache>/records/<sha256 hex of the cache key>.json`.
 *
 * Guarantees (tested in test/cache/step-records.test.ts):
 * 1. Ordering: `put()` writes a record only after checking, under the store lock, that its layer
 *    blob is in the blob store (CACHE_RECORD_BLOB_MISSING otherwise). Callers therefore put the
 *    blob first; a crash between the two leaves an unreferenced blob (prune's garbage), never a
 *    record pointing at nothing.
 * 2. Atomic: records are replaced by rename; readers see the old or the new record. They are not
 *    fsync'd (a record lost or emptied by a power cut is just a miss, by guarantee 3); the blob
 *    they reference is fsync'd before the record is written.
 * 3. Self-healing reads: `get()` returns undefined, and deletes the file, when the record is
 *    unparsable, belongs to another key, or references a blob that is gone.
 * 4. A hit refreshes `lastUsedAt` and the blob's mtime under the store lock, so a concurrent prune
 *    either ran before (and the record is gone) or sees it as just used.
 */
export class StepRecords {
  constructor(
    /** `<cache>/records` (CacheStore.paths.records). */
    readonly dir: string,
    private readonly blobs: BlobStore,
    private readonly lock: StoreLock,
  ) {}

  /** The record file for a cache key. */
  pathFor(key: string): string {
    return path.join(this.dir, `${sha256Digest(key).slice("sha256:".length)}.json`);
  }

  /**
   * The record for `key`, or undefined on a miss. `touch: false` for read-only inspection.
   * `accept`, run under the lock before the hit is recorded, may reject the record (a damaged
   * blob, say): it is then deleted and the lookup is a miss.
   */
  async get(
    key: string,
    options: { touch?: boolean; accept?: (record: StepRecord) => Promise<boolean> } = {},
  ): Promise<StepRecord | undefined> {
    const touch = options.touch ?? true;
    const file = this.pathFor(key);
    return this.lock.withLock(async () => {
      const record = await this.readValid(file, key);
      if (record && options.accept && !(await options.accept(record))) {
        await fsp.rm(file, { force: true });
        return undefined;
      }
      if (!record || !touch) return record;
      const now = new Date();
      const used: StepRecord = { ...record, lastUsedAt: now.toISOString() };
      await writeFileAtomic(file, JSON.stringify(used), { durable: false });
      if (record.layer) await this.blobs.touch(record.layer.digest);
      return used;
    });
  }

  /** Stores a record; its layer blob must already be in the store (guarantee 1). */
  async put(input: NewStepRecord): Promise<StepRecord> {
    const now = new Date().toISOString();
    const record: StepRecord = {
      ...input,
      layer: input.layer ?? null,
      createdAt: input.createdAt ?? now,
      lastUsedAt: input.lastUsedAt ?? now,
    };
    if (record.layer !== null && !isLayerRef(record.layer)) {
      throw new CacheError(
        "CACHE_RECORD_INVALID",
        `put record ${JSON.stringify(input.key)}: layer is not {digest, diffId, size, mediaType}`,
      );
    }
    const text = JSON.stringify(record);
    await fsp.mkdir(this.dir, { recursive: true });
    await this.lock.withLock(async () => {
      if (record.layer) {
        const blob = await this.blobs.stat(record.layer.digest);
        if (!blob) {
          throw new CacheError(
            "CACHE_RECORD_BLOB_MISSING",
            `put record ${JSON.stringify(record.key)}: layer blob ${record.layer.digest} is not in the store; put the blob first`,
          );
        }
      }
      await writeFileAtomic(this.pathFor(record.key), text, { durable: false });
    });
    return record;
  }

  /** Removes the record for `key`. Returns false if there was none. */
  async delete(key: string): Promise<boolean> {
    return removeFile(this.pathFor(key));
  }

  /**
   * Every valid record with its file. Malformed files are deleted; records whose blob is missing
   * are returned as-is (prune and `get()` decide what to do with them).
   */
  async list(): Promise<Array<{ file: string; record: StepRecord }>> {
    const names = await listDir(this.dir);
    const out: Array<{ file: string; record: StepRecord }> = [];
    for (const name of names) {
      if (!/^[a-f0-9]{64}\.json$/.test(name)) continue;
      const file = path.join(this.dir, name);
      const text = await readIfExists(file);
      if (text === undefined) continue;
      const record = parseStepRecord(text);
      if (record && this.pathFor(record.key) === file) out.push({ file, record });
      else await removeFile(file);
    }
    return out;
  }

  /** Removes a record file found by `list()`. */
  async deleteFile(file: string): Promise<boolean> {
    return removeFile(file);
  }

  private async readValid(file: string, key: string): Promise<StepRecord | undefined> {
    const text = await readIfExists(file);
    if (text === undefined) return undefined;
    const record = parseStepRecord(text);
    const valid =
      record !== undefined &&
      record.key === key &&
      (record.layer === null || (await this.blobs.has(record.layer.digest)));
    if (!valid) {
      await removeFile(file);
      return undefined;
    }
    return record;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw new CacheError("CACHE_IO", `read record ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

async function removeFile(file: string): Promise<boolean> {
  try {
    await fsp.unlink(file);
    return true;
  } catch (err) {
    if (isErrno(err, "ENOENT")) return false;
    throw err;
  }
}
