import { type Duplex, PassThrough, type Transform } from "node:stream";
import { UnsupportedCompressionError } from "./errors";
import type { Compression } from "./media-types";
import { ParallelGzip } from "./parallel-gzip";
import { pigzPath, pigzStream } from "./pigz";
import { GUNZIP_CHUNK } from "./decompress";
import { zlib } from "../lazy-builtins";

export interface CompressorOptions {
  /** gzip 1-9 (default 6), zstd 1-22 (default 3). */
  level?: number | undefined;
  /**
   * gzip only: false uses zlib's single-threaded gzip; otherwise pigz when it is on PATH, else
   * the in-process block-parallel gzip (each makes different bytes of the same content).
   */
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

/** Levels as buildx's compression-level takes them: gzip 0-9 (default 6), zstd 0-22 (default 3). */
const LEVELS: Record<Compression, { min: number; max: number; default: number }> = {
  gzip: { min: 0, max: 9, default: 6 },
  zstd: { min: 0, max: 22, default: 3 },
  uncompressed: { min: 0, max: 0, default: 0 },
};

/**
 * The level a compressor uses for `level` (undefined = the default); throws
 * UnsupportedCompressionError for a level out of the compression's range. "uncompressed" is 0.
 */
export function effectiveLevel(compression: Compression, level?: number): number {
  const range = LEVELS[compression];
  if (level === undefined || compression === "uncompressed") return range.default;
  if (!Number.isInteger(level) || level < range.min || level > range.max)
    throw new UnsupportedCompressionError(
      `compression-level ${level}: ${compression} takes ${range.min}-${range.max}`,
    );
  return level;
}

export function createCompressor(compression: Compression, opts: CompressorOptions = {}): Duplex {
  const level = effectiveLevel(compression, opts.level);
  switch (compression) {
    case "gzip": {
      if (opts.parallel === false) return zlib().createGzip({ level });
      const pigz = pigzPath();
      return pigz !== null ? pigzStream(pigz, level) : new ParallelGzip({ level });
    }
    case "zstd": {
      const { CompressStream } = loadZstd();
      return new CompressStream({ compressionLevel: level });
    }
    case "uncompressed":
      return new PassThrough();
  }
}

export function createDecompressor(compression: Compression): Transform {
  switch (compression) {
    case "gzip":
      return zlib().createGunzip({ chunkSize: GUNZIP_CHUNK });
    case "zstd":
      return new (loadZstd().DecompressStream)();
    case "uncompressed":
      return new PassThrough();
  }
}
