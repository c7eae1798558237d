import type { Readable } from "node:stream";

/**
 * One entry of a layer's filesystem change set, independent of how the layer is serialized.
 * COPY/ADD builders and the RUN executor's upper-dir diff both produce LayerEntry streams; the
 * layer tar writer is the one place that turns them into deterministic tar headers.
 *
 * `path` is relative to the root, POSIX separators, no leading "/" or "./", no trailing "/",
 * never containing "." or ".." segments (e.g. "usr/bin/env").
 */
export interface LayerEntryBase {
  path: string;
  /** Permission and special bits only (0o7777); the type is `type`. */
  mode: number;
  uid: number;
  gid: number;
  /** Modification time in milliseconds since the epoch (clamped later for reproducibility). */
  mtimeMs: number;
  /** Extended attributes (name → raw value), e.g. "security.capability". */
  xattrs?: Record<string, Buffer>;
}

export interface FileEntry extends LayerEntryBase {
  type: "file";
  size: number;
  /** Opens the content; called at most once, when the writer reaches this entry. */
  open: () => Readable;
  /**
   * A regular host file holding exactly the content (`size` bytes): the writer may read it
   * directly instead of calling `open` (no stream per file: 20,000 small files are 20,000
   * open/read/close calls, not 20,000 streams).
   */
  contentPath?: string;
}
export interface DirectoryEntry extends LayerEntryBase {
  type: "directory";
}
export interface SymlinkEntry extends LayerEntryBase {
  type: "symlink";
  target: string;
}
/** A hard link to an earlier entry of the same layer; `target` is that entry's path. */
export interface HardlinkEntry extends LayerEntryBase {
  type: "hardlink";
  target: string;
}
export interface DeviceEntry extends LayerEntryBase {
  type: "char-device" | "block-device" | "fifo";
  devmajor: number;
  devminor: number;
}
/** `path` was deleted in this layer (written as `.wh.<name>`). */
export interface WhiteoutEntry {
  type: "whiteout";
  path: string;
}
/** Everything below directory `path` from lower layers is hidden (written as `.wh..wh..opq`). */
export interface OpaqueEntry {
  type: "opaque";
  path: string;
}

export type LayerEntry =
  FileEntry | DirectoryEntry | SymlinkEntry | HardlinkEntry | DeviceEntry | WhiteoutEntry | OpaqueEntry;
