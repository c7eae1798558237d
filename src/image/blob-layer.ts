import * as fs from "node:fs";
import { pipeline, type Readable } from "node:stream";
import { createDecompressor } from "./compression";
import { assertDigest, type Digest } from "./digest";
import { UnsupportedCompressionError } from "./errors";
import type { Layer } from "./layer";
import { compressionOfMediaType, type Compression } from "./media-types";

export interface BlobLayerInfo {
  /** The compressed blob on disk. */
  path: string;
  digest: Digest;
  diffId: Digest;
  size: number;
  mediaType: string;
  /**
   * A base image's blob as its registry serves it: an export keeps its compression unless
   * force-compression asks otherwise (buildx's rule). Layers tsbuild built follow every export's
   * requested compression.
   */
  pulled?: boolean;
}

/**
 * A layer whose blob is a file with already-known digests: what buildLayer returns, and what
 * the cache hands back for a cached step. Every call opens a fresh stream on the file; the
 * digests are trusted (the writer or the blob store verified them).
 */
export class BlobLayer implements Layer {
  readonly info: Readonly<BlobLayerInfo>;
  readonly compression: Compression;

  constructor(info: BlobLayerInfo) {
    assertDigest(info.digest, `layer ${info.path} digest`);
    assertDigest(info.diffId, `layer ${info.path} diff_id`);
    const compression = compressionOfMediaType(info.mediaType);
    if (!compression)
      throw new UnsupportedCompressionError(
        `open layer ${info.path}: unknown layer media type ${info.mediaType}`,
      );
    this.compression = compression;
    this.info = Object.freeze({ ...info });
  }

  async digest(): Promise<string> {
    return this.info.digest;
  }
  async diffId(): Promise<string> {
    return this.info.diffId;
  }
  async size(): Promise<number> {
    return this.info.size;
  }
  async mediaType(): Promise<string> {
    return this.info.mediaType;
  }
  async compressed(): Promise<Readable> {
    return fs.createReadStream(this.info.path, { highWaterMark: 256 * 1024 });
  }
  async uncompressed(): Promise<Readable> {
    const file = fs.createReadStream(this.info.path, { highWaterMark: 256 * 1024 });
    return pipeline(file, createDecompressor(this.compression), () => undefined);
  }
}
