import { createHash } from "node:crypto";
import * as fsp from "node:fs/promises";
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { BlobStoreError } from "./errors";
import { tempPath } from "./temp-files";
import { errorMessage } from "../errors";

/** What a caller promises about a blob; any field given is checked before the blob becomes visible. */
export interface ExpectedBlob {
  digest?: string;
  size?: number;
}

/** A stored blob's identity. */
export interface BlobDescriptor {
  digest: string;
  size: number;
}

/**
 * A Writable for producers that stream a blob in and let the store hash it. Bytes go to a temp
 * file in the blob directory; nothing is visible under `blobs/sha256/` until `commit()` has
 * verified the digest/size, fsync'd the file and renamed it into place. `abort()` (or a failed
 * commit) removes the temp file. Construct through `BlobStore.createWriter()`.
 */
export class BlobWriter extends Writable {
  readonly tempFile: string;
  private fh: fsp.FileHandle | undefined;
  private readonly hash = createHash("sha256");
  private bytes = 0;
  private finished = false;
  private settled = false;

  constructor(
    dir: string,
    private readonly place: (tempFile: string, hex: string) => Promise<void>,
  ) {
    super();
    this.tempFile = tempPath(dir);
  }

  override _construct(cb: (err?: Error | null) => void): void {
    fsp.open(this.tempFile, "wx", 0o644).then(
      (fh) => {
        this.fh = fh;
        cb();
      },
      (err: Error) => cb(ioError(`create temporary blob ${this.tempFile}`, err)),
    );
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const fh = this.fh;
    if (fh === undefined) {
      cb(ioError(`write temporary blob ${this.tempFile}`, new Error("file not open")));
      return;
    }
    fh.write(chunk).then(
      () => cb(),
      (err: Error) => cb(ioError(`write temporary blob ${this.tempFile}`, err)),
    );
  }

  override _final(cb: (err?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    if (fh === undefined) {
      cb(ioError(`sync temporary blob ${this.tempFile}`, new Error("file not open")));
      return;
    }
    fh.sync()
      .then(() => fh.close())
      .then(
        () => {
          this.finished = true;
          cb();
        },
        (err: Error) => cb(ioError(`sync temporary blob ${this.tempFile}`, err)),
      );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    const cleanup = async (): Promise<void> => {
      if (fh) await fh.close().catch(() => undefined);
      // autoDestroy runs after a clean finish too; the temp file must then survive for commit().
      if (!this.settled && (err !== null || !this.finished)) await fsp.rm(this.tempFile, { force: true });
    };
    cleanup().then(
      () => cb(err),
      () => cb(err),
    );
  }

  /** Bytes written so far. */
  get size(): number {
    return this.bytes;
  }

  /**
   * After `end()` (waits for the data to be flushed and synced): checks `expected`, then makes the blob visible. Idempotent
   * with respect to the store: if the blob already exists it is atomically replaced by identical
   * bytes (which also refreshes its mtime, so a concurrent prune treats it as in use).
   */
  async commit(expected: ExpectedBlob = {}): Promise<BlobDescriptor> {
    if (this.settled)
      throw new BlobStoreError(
        "BLOB_WRITER_STATE",
        `commit blob: ${this.tempFile} already committed or aborted`,
      );
    if (!this.finished && this.writableEnded && !this.errored) {
      await finished(this).catch(() => undefined);
    }
    if (!this.finished) {
      throw new BlobStoreError(
        "BLOB_WRITER_STATE",
        `commit blob: writer for ${this.tempFile} has not finished`,
      );
    }
    const hex = this.hash.digest("hex");
    const digest = `sha256:${hex}`;
    try {
      checkExpected({ digest, size: this.bytes }, expected, "commit blob");
      await this.place(this.tempFile, hex);
    } catch (err) {
      await this.abort();
      throw err;
    }
    this.settled = true;
    return { digest, size: this.bytes };
  }

  /** Discards the temp file. Safe to call at any time, any number of times. */
  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    // The temp file may still be being created (_construct): wait until the stream has closed,
    // which comes after construction and _destroy, so the rm below cannot run before the create.
    const closed = this.closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => this.once("close", () => resolve()));
    if (!this.destroyed) this.destroy();
    await closed;
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await fh.close().catch(() => undefined);
    await fsp.rm(this.tempFile, { force: true });
  }
}

/** Throws BLOB_DIGEST_MISMATCH / BLOB_SIZE_MISMATCH when `actual` breaks a promise in `expected`. */
export function checkExpected(actual: BlobDescriptor, expected: ExpectedBlob, verb: string): void {
  if (expected.size !== undefined && expected.size !== actual.size) {
    throw new BlobStoreError(
      "BLOB_SIZE_MISMATCH",
      `${verb}: ${expected.digest ?? actual.digest} has ${actual.size} bytes, expected ${expected.size}`,
    );
  }
  if (expected.digest !== undefined && expected.digest !== actual.digest) {
    throw new BlobStoreError(
      "BLOB_DIGEST_MISMATCH",
      `${verb}: content hashes to ${actual.digest}, expected ${expected.digest}`,
    );
  }
}

export function ioError(verb: string, err: unknown): BlobStoreError {
  return new BlobStoreError("BLOB_IO", `${verb}: ${errorMessage(err)}`, { cause: err });
}
