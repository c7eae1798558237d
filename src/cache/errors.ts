import * as fsp from "node:fs/promises";
import { TsbuildError, errnoCode } from "../errors";

/** Codes a {@link BlobStoreError} carries. */
export type BlobStoreErrorCode =
  | "BLOB_INVALID_DIGEST"
  | "BLOB_NOT_FOUND"
  | "BLOB_DIGEST_MISMATCH"
  | "BLOB_SIZE_MISMATCH"
  | "BLOB_WRITER_STATE"
  | "BLOB_IO";

/** A blob could not be stored, found or verified. */
export class BlobStoreError extends TsbuildError {
  declare readonly code: BlobStoreErrorCode;
  constructor(code: BlobStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Codes a {@link CacheError} carries. */
export type CacheErrorCode =
  | "CACHE_LOCK_TIMEOUT"
  | "CACHE_RECORD_INVALID"
  | "CACHE_RECORD_BLOB_MISSING"
  | "CACHE_INDEX_INVALID"
  | "CACHE_IMAGE_NOT_FOUND"
  | "CACHE_EXPORT_INVALID"
  | "CACHE_IO";

/** The record, image-index, lock or export side of the cache failed. */
export class CacheError extends TsbuildError {
  declare readonly code: CacheErrorCode;
  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True for a Node system error with the given errno code (ENOENT, EEXIST, ...). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && errnoCode(err) === code;
}

/** The names in `dir`, or none when it does not exist (yet). */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return [];
    throw err;
  }
}
