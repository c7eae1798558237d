import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { BlobStoreError } from "../errors";
import { asBuffer } from "../../bytes";

/**
 * A pass-through that refuses content other than `digest`/`size`: more bytes than `size` error
 * at once, and at the end a wrong count or hash errors the stream (BLOB_SIZE_MISMATCH /
 * BLOB_DIGEST_MISMATCH), so a consumer that waits for the end never keeps unverified bytes.
 */
export class VerifyingStream extends Transform {
  private readonly hash = createHash("sha256");
  private received = 0;

  constructor(
    private readonly digest: string,
    private readonly size: number,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: unknown, _enc: BufferEncoding, cb: TransformCallback): void {
    const buf = asBuffer(chunk);
    this.received += buf.length;
    if (this.received > this.size) {
      cb(new BlobStoreError("BLOB_SIZE_MISMATCH", `${this.what}: more than the ${this.size} bytes expected`));
      return;
    }
    this.hash.update(buf);
    cb(null, buf);
  }

  override _flush(cb: TransformCallback): void {
    if (this.received !== this.size) {
      cb(
        new BlobStoreError(
          "BLOB_SIZE_MISMATCH",
          `${this.what}: ${this.received} bytes, expected ${this.size}`,
        ),
      );
      return;
    }
    const actual = `sha256:${this.hash.digest("hex")}`;
    if (actual !== this.digest) {
      cb(new BlobStoreError("BLOB_DIGEST_MISMATCH", `${this.what}: content hashes to ${actual}`));
      return;
    }
    cb();
  }
}
