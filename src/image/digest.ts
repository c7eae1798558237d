import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback, type Readable } from "node:stream";
import { InvalidDigestError } from "./errors";
import { asBuffer } from "../bytes";

/** An OCI content digest, "sha256:<64 lowercase hex>". Only sha256 is produced or accepted. */
export type Digest = string;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value);
}

/** Throws InvalidDigestError unless `value` is a sha256 digest; returns it for chaining. */
export function assertDigest(value: string, what = "digest"): Digest {
  if (!isDigest(value)) {
    throw new InvalidDigestError(`parse ${what}: ${JSON.stringify(value)} is not sha256:<64 lowercase hex>`);
  }
  return value;
}

/** The hex part of a validated digest (the blob's file name under blobs/sha256/). */
export function digestHex(digest: Digest): string {
  return assertDigest(digest).slice("sha256:".length);
}

export function sha256Digest(data: Buffer | string): Digest {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

/**
 * A pass-through stream that hashes and counts what flows through it. Read `digest()`/`size`
 * after the stream has finished.
 */
export class DigestingStream extends Transform {
  private readonly hash: Hash = createHash("sha256");
  private finalDigest: Digest | undefined;
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.finalDigest = "sha256:" + this.hash.digest("hex");
    cb();
  }

  digest(): Digest {
    if (this.finalDigest === undefined)
      throw new Error("DigestingStream.digest() called before the stream finished");
    return this.finalDigest;
  }
}

/** Hashes a whole stream: its sha256 digest and byte count. */
export async function digestStream(stream: Readable): Promise<{ digest: Digest; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    const buf = asBuffer(chunk);
    hash.update(buf);
    size += buf.length;
  }
  return { digest: "sha256:" + hash.digest("hex"), size };
}
