import { PassThrough, type Transform } from "node:stream";
import * as zlib from "node:zlib";
import { UnsupportedCompressionError } from "./errors";
import type { Compression } from "./media-types";
import { ParallelGzip } from "./parallel-gzip";

export interface CompressorOptions {
  /** gzip 1-9 (default 6), zstd 1-22 (default 3). */
  level?: number | undefined;
  /** gzip only: false uses zlib's single-threaded gzip (different bytes, same content). */
  parallel?: boolean;
}

interface ZstdModule {
  CompressStream: new (params?: Record<string, number>) => Transform;
  DecompressStream: new () => Transform;
}

let zstd: ZstdModule | null | undefined;

/** zstd-napi is an optional dependency (a native addon built at install time). */
function loadZstd(): ZstdModule {
  if (zstd === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      zstd = require("zstd-napi") as ZstdModule;
    } catch {
      zstd = null;
    }
  }
  if (!zstd)
    throw new UnsupportedCompressionError(
      "load zstd codec: the optional package zstd-napi is not installed (or failed to build); use compression=gzip",
    );
  return zstd;
}

export function isCompressionSupported(compression: Compression): boolean {
  if (compression !== "zstd") return true;
  try {
    loadZstd();
    return true;
  } catch {
    return false;
  }
}

export function parseCompression(value: string): Compression {
  if (value === "gzip" || value === "zstd" || value === "uncompressed") return value;
  throw new UnsupportedCompressionError(
    `parse compression: ${JSON.stringify(value)} is not one of gzip, zstd, uncompressed`,
  );
}

export function createCompressor(compression: Compression, opts: CompressorOptions = {}): Transform {
  switch (compression) {
    case "gzip":
      return opts.parallel === false
        ? zlib.createGzip({ level: opts.level ?? 6 })
        : new ParallelGzip({ level: opts.level ?? 6 });
    case "zstd": {
      const { CompressStream } = loadZstd();
      return new CompressStream({ compressionLevel: opts.level ?? 3 });
    }
    case "uncompressed":
      return new PassThrough();
  }
}

export function createDecompressor(compression: Compression): Transform {
  switch (compression) {
    case "gzip":
      return zlib.createGunzip();
    case "zstd":
      return new (loadZstd().DecompressStream)();
    case "uncompressed":
      return new PassThrough();
  }
}
