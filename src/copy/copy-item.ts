import type { Readable } from "node:stream";

export type CopyItemType = "file" | "directory" | "symlink" | "fifo" | "char-device" | "block-device";

/**
 * One thing a COPY/ADD source provides, wherever it comes from (context, stage, archive, URL,
 * heredoc). A ContextFile is one as it stands.
 */
export interface CopyItem {
  /**
   * Relative to its source: "." for a directory source itself, "a/b.txt" below it, the base name
   * of a single-entry source.
   */
  path: string;
  type: CopyItemType;
  /** Permission and special bits only (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  /** Bytes of a regular file; 0 otherwise. */
  size: number;
  linkTarget?: string;
  devmajor?: number;
  devminor?: number;
  /**
   * Its xattrs (user.*, security.capability, …; undefined when none), read when the layer is
   * written: BuildKit's copy carries them into the layer, as RUN's diff does.
   */
  xattrs?(): Record<string, Buffer> | undefined;
  /** A regular file's content; called at most once, when the layer writer reaches it. */
  open(): Readable;
  /** A regular host file holding exactly that content, when there is one (see FileEntry). */
  contentPath?: string | undefined;
}

/** A source after wildcard expansion: how its items are laid out under the destination. */
export interface CopyGroup {
  /** "directory" copies its contents into the destination; "entry" copies one item. */
  kind: "directory" | "entry";
  /**
   * With `--parents`: the source's path below the pivot ("x/y.txt" for `x/y.txt` or `a/./x/y.txt`),
   * where it lands under the destination. Undefined for the ordinary layout rules.
   */
  parentsPath?: string;
  /** Metadata of the directories on `parentsPath` (by path below the pivot), when known. */
  parentDirs?: Map<string, CopyItem>;
  /** Keep the items' own uid/gid when no --chown is given (stage/image sources, archives). */
  keepOwner: boolean;
  /** Apply --chmod to these items (not to archive contents, like BuildKit). */
  chmod: boolean;
  items: AsyncIterable<CopyItem> | Iterable<CopyItem>;
}
