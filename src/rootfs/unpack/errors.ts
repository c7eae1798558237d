import { TsbuildError } from "../../errors";
import { RootfsError } from "../errors";

/** Stable codes of everything that can go wrong while applying a layer or archive. */
export type UnpackErrorCode =
  /** An entry name is empty after cleaning, holds a NUL byte, or is longer than Linux allows. */
  | "UNPACK_INVALID_NAME"
  /** An entry name climbs above the target root with "..". */
  | "UNPACK_PATH_ESCAPE"
  /** A hard link names a target that is missing inside the root, or is a directory. */
  | "UNPACK_BAD_HARDLINK"
  /** A tar entry type tsbuild does not know how to create. */
  | "UNPACK_UNSUPPORTED_TYPE"
  /** The uncompressed layer does not hash to the diff_id its image config gives. */
  | "UNPACK_DIFF_ID_MISMATCH"
  /** The content would pass `maxSize` (--max-layer-size). */
  | "UNPACK_TOO_LARGE"
  /** A `.wh.` name while `whiteoutMode: "refuse"`. */
  | "UNPACK_WHITEOUT_NAME"
  /** A device node while `devices: "refuse"`. */
  | "UNPACK_DEVICE_REFUSED"
  /** The stream is not a tar (after decompression). */
  | "UNPACK_NOT_AN_ARCHIVE"
  /** The compressed stream is corrupt or truncated. */
  | "UNPACK_DECOMPRESS"
  /** The tar stream itself is malformed or truncated. */
  | "UNPACK_BAD_TAR"
  /** A filesystem operation failed (disk full, permission, ...). */
  | "UNPACK_IO";

/**
 * A layer or archive could not be applied. The message starts with what failed and names the
 * entry path as written in the tar ("create hardlink usr/bin/x: ..."); `entry` carries it too.
 */
export class UnpackError extends TsbuildError {
  override readonly code: UnpackErrorCode;
  /** The entry's name as it appeared in the tar, when the error is about one entry. */
  readonly entry: string | undefined;

  constructor(code: UnpackErrorCode, message: string, entry?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.code = code;
    this.entry = entry;
  }
}

/** Wraps a Node fs error as UNPACK_IO with a verb phrase; passes tsbuild's own errors through untouched. */
export function ioError(verb: string, entry: string, cause: unknown): UnpackError | RootfsError {
  if (cause instanceof UnpackError || cause instanceof RootfsError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new UnpackError("UNPACK_IO", `${verb} ${entry}: ${detail}`, entry, { cause });
}
