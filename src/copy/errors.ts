import { TsbuildError } from "../errors";

/** Stable codes of what can go wrong while laying out a COPY/ADD layer. */
export type CopyErrorCode =
  /** A `COPY --from` source matches nothing in the source stage or image. */
  | "COPY_SOURCE_NOT_FOUND"
  /** A source pattern is not valid Go filepath.Match syntax. */
  | "COPY_BAD_PATTERN"
  /** A path component that must be a directory (in the source or the destination) is not one. */
  | "COPY_NOT_A_DIRECTORY"
  /** `ADD <url>`: the request failed or the server answered with an error status. */
  | "COPY_DOWNLOAD_FAILED"
  /** `ADD --checksum` does not match the downloaded content. */
  | "COPY_CHECKSUM_MISMATCH"
  /** `ADD --checksum` is not `<sha256|sha384|sha512>:<hex>`. */
  | "COPY_BAD_CHECKSUM"
  /** `ADD` from a Git repository. */
  | "COPY_GIT_UNSUPPORTED"
  /** The step is inconsistent with its inputs (e.g. `--from` without a source view). */
  | "COPY_BAD_STEP"
  /** A filesystem operation failed while reading a source or extracting an archive. */
  | "COPY_IO";

/**
 * A COPY/ADD layer could not be produced. The message starts with what failed and names the
 * source, file, URL or flag involved ("resolve --chown=bob: no user bob in /etc/passwd").
 */
export class CopyError extends TsbuildError {
  override readonly code: CopyErrorCode;

  constructor(code: CopyErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.code = code;
  }
}
