import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { BlobStoreError } from "./errors";

/** The only algorithm the store accepts; OCI allows sha512 too but nothing tsbuild produces uses it. */
export const DIGEST_ALGORITHM = "sha256";
const DIGEST_RE = /^sha256:([a-f0-9]{64})$/;

/** Returns the hex part of a "sha256:<64 hex>" digest, or throws BLOB_INVALID_DIGEST. */
export function digestHex(digest: string): string {
  const m = DIGEST_RE.exec(digest);
  if (!m) {
    throw new BlobStoreError(
      "BLOB_INVALID_DIGEST",
      `parse digest: ${JSON.stringify(digest)} is not sha256:<64 hex>`,
    );
  }
  return m[1];
}

/** True if `digest` is a well-formed sha256 digest. */
export function isDigest(digest: unknown): digest is string {
  return typeof digest === "string" && DIGEST_RE.test(digest);
}

/** sha256 of a string or buffer as "sha256:<hex>". */
export function sha256Digest(data: string | Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/**
 * A pass-through that hashes and counts what flows through it. `digest()`/`size` are final once the
 * stream has ended.
 */
export class DigestingTransform extends Transform {
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  private result: string | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.result = `sha256:${this.hash.digest("hex")}`;
    cb();
  }

  get size(): number {
    return this.bytes;
  }

  /** The digest of everything that passed; only valid after the stream has flushed. */
  digest(): string {
    if (this.result === undefined) {
      throw new BlobStoreError("BLOB_WRITER_STATE", "read digest: stream has not ended");
    }
    return this.result;
  }
}
