import type { Readable } from "node:stream";

export type ContextFileType = "file" | "directory" | "symlink" | "fifo" | "char-device" | "block-device";

/**
 * One COPY/ADD source after wildcard expansion and symlink following.
 *
 * A directory source copies its contents; any other source copies one entry named after
 * `path`'s base name (a followed symlink keeps its own name and carries its target's content).
 */
export interface ContextSource {
  /** The source as written in the Dockerfile, e.g. "src/*.go". */
  pattern: string;
  /** The match, relative to the context root, as named: "src/main.go", "." for the root. */
  path: string;
  /** Where `path` leads once symlinks are followed (inside the context), e.g. "vendor/lib". */
  target: string;
  /** "directory" copies the contents; "entry" copies one file, fifo or device. */
  kind: "directory" | "entry";
}

/** One file, directory, symlink or device a COPY/ADD source selects. */
export interface ContextFile {
  /** Index of the ContextSource this entry came from. */
  source: number;
  /**
   * Path as laid out under the COPY destination: relative to a directory source ("." for the
   * directory itself, "a/b.txt" below it) or the base name of a single-entry source.
   */
  path: string;
  /** Path relative to the context root, after the source's symlinks were followed. */
  contextPath: string;
  type: ContextFileType;
  /** Permission and special bits only (0o7777). */
  mode: number;
  /** Bytes of a regular file; 0 for everything else. */
  size: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  /** A symlink's target, as stored (never followed inside a directory source). */
  linkTarget?: string;
  devmajor?: number;
  devminor?: number;
  /** Absolute host path, for reading content. Never part of a cache key. */
  hostPath: string;
  /**
   * xxh64 of a regular file's content (16 hex digits), read lazily, at most once per build and
   * not at all when the persistent stat cache vouches for it. Undefined for non-files.
   */
  contentHash(): Promise<string | undefined>;
  /**
   * contentHash() without a promise when it is known already (the stat cache vouches for the
   * file): the fingerprint of a rebuild awaits only the files that changed.
   */
  knownContentHash?(): string | undefined;
  /** The content of a regular file. */
  open(): Readable;
  /** The host file that `open` reads, for a regular file (not a socket, which reads as empty). */
  contentPath?: string | undefined;
  /** Its xattrs (overlayfs's own left out), read once; undefined when none. */
  xattrs?(): Record<string, Buffer> | undefined;
  /**
   * xattrSummary (fingerprint.ts) of its xattrs, from the stat cache when its stat is unchanged;
   * call after contentHash() has settled, which is when a regular file's is known.
   */
  xattrSummary?(): string;
}

/** What reading the context has cost so far: proves a warm re-plan reads no file content. */
export interface ContextStats {
  /** Regular files whose content was read and hashed. */
  filesHashed: number;
  /** Content bytes read to hash them. */
  bytesRead: number;
  /** Files whose hash came from the persistent stat cache (unchanged dev, ino, size, mtime, ctime). */
  cacheHits: number;
  /** Regular files whose xattrs were listed for a fingerprint (none that the stat cache vouches for). */
  xattrLists: number;
}
