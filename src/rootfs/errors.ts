import { TsbuildError, errnoCode } from "../errors";

/** Stable codes of what can go wrong while reading or resolving paths in a root filesystem. */
export type RootfsErrorCode =
  /** More than MAX_SYMLINKS links met while resolving one path (a loop, or a hostile chain). */
  | "ROOTFS_SYMLINK_LOOP"
  /** A path component that has to be a directory is something else (a file, a fifo). */
  | "ROOTFS_NOT_A_DIRECTORY"
  /** A path leads outside a root whose caller refuses to clamp it (the build context). */
  | "ROOTFS_PATH_ESCAPE"
  /** The path does not exist in the view. */
  | "ROOTFS_NOT_FOUND"
  /** USER / --chown names a user or group missing from the root's /etc/passwd or /etc/group. */
  | "ROOTFS_UNKNOWN_USER"
  | "ROOTFS_UNKNOWN_GROUP"
  /** USER / --chown is malformed (empty part, id out of range). */
  | "ROOTFS_BAD_USER"
  /** A filesystem operation failed (permission, I/O). */
  | "ROOTFS_IO";

/**
 * A root filesystem could not be read or a path in it not resolved. The message starts with what
 * failed and names the path as the caller gave it ("resolve /etc/x: too many levels of symbolic
 * links"); `path` carries it too.
 */
export class RootfsError extends TsbuildError {
  override readonly code: RootfsErrorCode;
  readonly path: string | undefined;

  constructor(code: RootfsErrorCode, message: string, path?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.code = code;
    this.path = path;
  }
}

/** True when `err` is a Node system error with the given errno code. */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && errnoCode(err) === code;
}
