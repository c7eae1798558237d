import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { Readable, Transform, type TransformCallback, pipeline } from "node:stream";
import { pipeline as pipelinePromise } from "node:stream/promises";
import { createHash } from "node:crypto";
import { renameIntoPlace } from "./atomic-file";
import { BlobWriter, checkExpected, ioError, type BlobDescriptor, type ExpectedBlob } from "./blob-writer";
import { digestHex } from "./digest";
import { BlobStoreError, isErrno } from "./errors";
import { isTempName, sweepDeadTemps } from "./temp-files";
import { asBuffer } from "../bytes";

/**
 * The content-addressed blob store: `<root>/blobs/sha256/<hex>`, like an OCI image layout's blob
 * directory (so `tsbuild` can hand the directory to tools that read OCI layouts).
 *
 * Guarantees (each has a test in test/cache/blob-store.test.ts):
 * 1. Atomic put: bytes go to a `.tmp-*` file in the same directory, are fsync'd, verified against
 *    any expected digest/size, and only then renamed to `<hex>` (and the directory fsync'd). A blob
 *    path either does not exist or holds complete content; a crashed writer (even kill -9) leaves
 *    only a temp file named after its writer (temp-files.ts), which is never listed and is removed
 *    by the next `open()` once its writer is dead (an ownerless one once older than
 *    `staleTempAgeMs`).
 * 2. Idempotent put: putting content that is already stored drains and verifies the stream, then
 *    atomically replaces the file with identical bytes. Concurrent puts of the same content from
 *    several processes all succeed.
 * 3. A put whose content does not match `expected` rejects (BLOB_DIGEST_MISMATCH or
 *    BLOB_SIZE_MISMATCH) and leaves nothing behind.
 * 4. Verified reads: `open()` hashes while streaming and, at the end, errors the stream with
 *    BLOB_DIGEST_MISMATCH if the content is not what its name says (bit rot, truncation, a consumer
 *    that wrote through `path()`), and evicts the corrupt file so the next build re-creates it.
 *    `verify()` does the same without a consumer.
 * 5. `path()` is for zero-copy consumers (hardlink, reflink, sendfile) that promise not to write.
 */
export class BlobStore {
  /** `<root>/blobs/sha256`. */
  readonly dir: string;

  private constructor(readonly root: string) {
    this.dir = path.join(root, "blobs", "sha256");
  }

  /** Opens (creating if needed) the store under `root` and removes stale temp files. */
  static async open(root: string, options: { staleTempAgeMs?: number } = {}): Promise<BlobStore> {
    const store = new BlobStore(path.resolve(root));
    try {
      await fsp.mkdir(store.dir, { recursive: true });
      await sweepDeadTemps(
        store.dir,
        options.staleTempAgeMs !== undefined ? { maxAgeMs: options.staleTempAgeMs } : {},
      );
    } catch (err) {
      throw ioError(`open blob store ${store.dir}`, err);
    }
    return store;
  }

  /** Where the blob lives (whether or not it exists). Throws BLOB_INVALID_DIGEST. */
  path(digest: string): string {
    return path.join(this.dir, digestHex(digest));
  }

  async has(digest: string): Promise<boolean> {
    return (await this.stat(digest)) !== undefined;
  }

  /** `has()` in one synchronous stat, for the cache-hit path (see StepRecords). */
  hasSync(digest: string): boolean {
    try {
      fs.statSync(this.path(digest));
      return true;
    } catch (err) {
      if (isErrno(err, "ENOENT")) return false;
      throw ioError(`stat blob ${digest}`, err);
    }
  }

  /** Size and mtime of a stored blob, or undefined if absent. */
  async stat(digest: string): Promise<(BlobDescriptor & { mtimeMs: number }) | undefined> {
    try {
      const st = await fsp.stat(this.path(digest));
      return { digest, size: st.size, mtimeMs: st.mtimeMs };
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw ioError(`stat blob ${digest}`, err);
    }
  }

  /**
   * A stream of the blob that errors with BLOB_DIGEST_MISMATCH at the end if the content is
   * wrong (and evicts the blob). Throws BLOB_NOT_FOUND if absent.
   */
  async open(digest: string): Promise<Readable> {
    const file = this.path(digest);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, "r");
    } catch (err) {
      if (isErrno(err, "ENOENT"))
        throw new BlobStoreError("BLOB_NOT_FOUND", `open blob ${digest}: not in store ${this.dir}`);
      throw ioError(`open blob ${digest}`, err);
    }
    const { ino } = await fh.stat();
    const verifier = new VerifyingTransform(digest, () => this.evict(file, ino));
    // pipeline forwards errors both ways and closes the file if the consumer stops early.
    return pipeline(fh.createReadStream(), verifier, () => undefined);
  }

  /** Streams `source` into the store. See guarantees 1-3. */
  async put(
    source: Readable | AsyncIterable<Buffer | Uint8Array>,
    expected: ExpectedBlob = {},
  ): Promise<BlobDescriptor> {
    if (expected.digest !== undefined) digestHex(expected.digest);
    const writer = this.createWriter();
    try {
      await pipelinePromise(source, writer);
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return writer.commit(expected);
  }

  /**
   * Stores a small in-memory blob (an image config, a manifest). When the store already holds
   * the digest and its file has exactly these bytes (compared, not trusted by name), nothing is
   * written (only its mtime refreshed): a rebuild that made the same image costs a read, not two fsyncs.
   */
  async putBytes(data: Buffer): Promise<BlobDescriptor> {
    const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    try {
      const existing = await fsp.readFile(this.path(digest));
      if (existing.equals(data)) {
        // Fresh mtime, as a write would give: prune keeps a running build's blobs by it.
        await this.touch(digest);
        return { digest, size: data.length };
      }
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw ioError(`read blob ${digest}`, err);
    }
    return this.put(Readable.from([data]), { digest, size: data.length });
  }

  /** A Writable for producers that push bytes; call `commit(expected?)` after it finishes. */
  createWriter(): BlobWriter {
    return new BlobWriter(this.dir, (tmp, hex) => this.place(tmp, hex));
  }

  /**
   * Adopts a file a producer already wrote (e.g. the layer builder's compressed tar): hashes and
   * fsyncs it, checks `expected`, then renames it into place (or copies it when `copy` is set or
   * it is on another filesystem). On mismatch the source is left untouched and the store unchanged.
   */
  async importFile(
    file: string,
    expected: ExpectedBlob = {},
    options: { copy?: boolean } = {},
  ): Promise<BlobDescriptor> {
    if (expected.digest !== undefined) digestHex(expected.digest);
    let actual: BlobDescriptor;
    try {
      actual = await hashFile(file, true);
    } catch (err) {
      throw ioError(`import blob from ${file}`, err);
    }
    checkExpected(actual, expected, `import blob from ${file}`);
    return this.adopt(file, actual, options.copy === true);
  }

  /**
   * Adopts a file this process wrote and hashed on its way to the disk (the layer builder hashes
   * the tar as it writes it), so it is not read and hashed a second time (a 229 MB COPY layer:
   * ~0.2 s): fsyncs it, checks its size against `written`, and renames it into place.
   */
  async importHashed(file: string, written: BlobDescriptor): Promise<BlobDescriptor> {
    digestHex(written.digest);
    let size: number;
    try {
      const fh = await fsp.open(file, "r");
      try {
        await fh.sync();
        size = (await fh.stat()).size;
      } finally {
        await fh.close();
      }
    } catch (err) {
      throw ioError(`import blob from ${file}`, err);
    }
    checkExpected({ digest: written.digest, size }, { size: written.size }, `import blob from ${file}`);
    return this.adopt(file, written, false);
  }

  /** Renames `file`, whose content is `actual`, into place; copies it when asked or across file systems. */
  private async adopt(file: string, actual: BlobDescriptor, copy: boolean): Promise<BlobDescriptor> {
    if (!copy) {
      try {
        await this.place(file, digestHex(actual.digest));
        return actual;
      } catch (err) {
        const cause = err instanceof Error ? err.cause : undefined;
        if (!isErrno(cause, "EXDEV")) throw err;
      }
    }
    // Copy through a writer so the copy is verified too (the source could change under us).
    return this.put(fs.createReadStream(file), actual);
  }

  /** Removes a blob. Returns false if it was not there. */
  async delete(digest: string): Promise<boolean> {
    try {
      await fsp.unlink(this.path(digest));
      return true;
    } catch (err) {
      if (isErrno(err, "ENOENT")) return false;
      throw ioError(`delete blob ${digest}`, err);
    }
  }

  /** Every stored blob (temp files excluded). */
  async list(): Promise<Array<BlobDescriptor & { mtimeMs: number }>> {
    const out: Array<BlobDescriptor & { mtimeMs: number }> = [];
    for (const name of await fsp.readdir(this.dir)) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      const info = await this.stat(`sha256:${name}`);
      if (info) out.push(info);
    }
    return out;
  }

  /** Temp files currently in the store (in-flight or crashed writers). */
  async listTemps(): Promise<Array<{ file: string; size: number; mtimeMs: number }>> {
    const out: Array<{ file: string; size: number; mtimeMs: number }> = [];
    for (const name of await fsp.readdir(this.dir)) {
      if (!isTempName(name)) continue;
      const file = path.join(this.dir, name);
      try {
        const st = await fsp.stat(file);
        out.push({ file, size: st.size, mtimeMs: st.mtimeMs });
      } catch (err) {
        if (!isErrno(err, "ENOENT")) throw err;
      }
    }
    return out;
  }

  /** Re-hashes a blob: "ok", "missing", or "corrupt" (in which case it has been evicted). */
  async verify(digest: string): Promise<"ok" | "missing" | "corrupt"> {
    const file = this.path(digest);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, "r");
    } catch (err) {
      if (isErrno(err, "ENOENT")) return "missing";
      throw ioError(`verify blob ${digest}`, err);
    }
    const { ino } = await fh.stat();
    const hash = createHash("sha256");
    await pipelinePromise(fh.createReadStream(), hash);
    if (`sha256:${hash.digest("hex")}` === digest) return "ok";
    await this.evict(file, ino);
    return "corrupt";
  }

  /** Sets a blob's mtime to now: marks it as used for prune's protection of running builds. */
  async touch(digest: string): Promise<void> {
    const now = new Date();
    await fsp.utimes(this.path(digest), now, now).catch((err: unknown) => {
      if (!isErrno(err, "ENOENT")) throw ioError(`touch blob ${digest}`, err);
    });
  }

  /** Renames a verified file to its content address and makes the rename durable. */
  private async place(file: string, hex: string): Promise<void> {
    try {
      await renameIntoPlace(file, path.join(this.dir, hex), { durable: true });
    } catch (err) {
      throw ioError(`rename temporary blob ${file} to sha256:${hex}`, err);
    }
  }

  /**
   * Removes a corrupt blob, unless a concurrent put has meanwhile replaced it with a new file (a
   * different inode), which must not be thrown away.
   */
  private async evict(file: string, ino: number): Promise<void> {
    try {
      if ((await fsp.stat(file)).ino === ino) await fsp.unlink(file);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
}

/** Hashes a file; with `sync`, also fsyncs it (importFile adopts files whose writer may not have). */
async function hashFile(file: string, sync: boolean): Promise<BlobDescriptor> {
  const fh = await fsp.open(file, "r");
  try {
    if (sync) await fh.sync();
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of fh.createReadStream({ autoClose: false })) {
      const buf = asBuffer(chunk);
      hash.update(buf);
      size += buf.length;
    }
    return { digest: `sha256:${hash.digest("hex")}`, size };
  } finally {
    await fh.close();
  }
}

/** Passes bytes through and fails the stream at the end if they do not hash to `digest`. */
class VerifyingTransform extends Transform {
  private readonly hash = createHash("sha256");

  constructor(
    private readonly digest: string,
    private readonly onMismatch: () => Promise<void>,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = `sha256:${this.hash.digest("hex")}`;
    if (actual === this.digest) {
      cb();
      return;
    }
    const err = new BlobStoreError(
      "BLOB_DIGEST_MISMATCH",
      `read blob ${this.digest}: content hashes to ${actual}; evicted the corrupt blob`,
    );
    this.onMismatch().then(
      () => cb(err),
      () => cb(err),
    );
  }
}
