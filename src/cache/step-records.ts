import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomicSync } from "./atomic-file";
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
 * 4. A hit refreshes `lastUsedAt` under the store lock, so a concurrent prune either ran before
 *    (and the record is gone) or sees it as just used (and keeps it, and with it the blob it
 *    references). The refresh is the record file's mtime (one utimes, no rewrite): a record's
 *    `lastUsedAt` is the later of its JSON field and its file's mtime, and `put()` sets the mtime
 *    to the field. The blob itself is not touched: its record keeps it, and an untouched blob
 *    keeps its ctime, so its verified stamp (engine/verified-blobs.ts) stays valid.
 *
 * The hit path reads and touches with synchronous calls: the files are tiny, and a thread-pool
 * round trip per call cost more than the calls themselves (a no-change rebuild is mostly hits).
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
      const record = this.readValid(file, key);
      if (record && options.accept && !(await options.accept(record))) {
        fs.rmSync(file, { force: true });
        return undefined;
      }
      if (!record || !touch) return record;
      const now = new Date();
      try {
        fs.utimesSync(file, now, now);
      } catch (err) {
        // Deleted since it was read: nothing protects it any more, so it is a miss.
        if (isErrno(err, "ENOENT")) return undefined;
        throw new CacheError("CACHE_IO", `touch record ${file}: ${errorMessage(err)}`, { cause: err });
      }
      return { ...record, lastUsedAt: now.toISOString() };
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
    fs.mkdirSync(this.dir, { recursive: true });
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
      const file = this.pathFor(record.key);
      writeFileAtomicSync(file, text);
      // The file's mtime is the record's lastUsedAt from now on (see guarantee 4).
      const used = new Date(record.lastUsedAt);
      if (!Number.isNaN(used.getTime())) fs.utimesSync(file, used, used);
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
      const read = readRecordFile(file);
      if (read === undefined) continue;
      const record = parseStepRecord(read.text);
      if (record && this.pathFor(record.key) === file)
        out.push({ file, record: withMtime(record, read.mtimeMs) });
      else await removeFile(file);
    }
    return out;
  }

  /** Removes a record file found by `list()`. */
  async deleteFile(file: string): Promise<boolean> {
    return removeFile(file);
  }

  /** The record in `file` if it is `key`'s and its blob is stored; deletes it otherwise. */
  private readValid(file: string, key: string): StepRecord | undefined {
    const read = readRecordFile(file);
    if (read === undefined) return undefined;
    const record = parseStepRecord(read.text);
    const valid =
      record !== undefined &&
      record.key === key &&
      (record.layer === null || this.blobs.hasSync(record.layer.digest));
    if (!valid) {
      fs.rmSync(file, { force: true });
      return undefined;
    }
    return withMtime(record, read.mtimeMs);
  }
}

/** A record file's text and mtime (one open, fstat, read), or undefined when it is absent. */
function readRecordFile(file: string): { text: string; mtimeMs: number } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw new CacheError("CACHE_IO", `read record ${file}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    const { mtimeMs } = fs.fstatSync(fd);
    return { text: fs.readFileSync(fd, "utf8"), mtimeMs };
  } catch (err) {
    throw new CacheError("CACHE_IO", `read record ${file}: ${errorMessage(err)}`, { cause: err });
  } finally {
    fs.closeSync(fd);
  }
}

/** `lastUsedAt` as the later of the JSON field and the file's mtime (guarantee 4). */
function withMtime(record: StepRecord, mtimeMs: number): StepRecord {
  // Rounded: utimes stores a Date as float seconds, which may come back a nanosecond early.
  const touched = Math.round(mtimeMs);
  return touched > Date.parse(record.lastUsedAt)
    ? { ...record, lastUsedAt: new Date(touched).toISOString() }
    : record;
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
