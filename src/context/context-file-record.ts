import * as fs from "node:fs";
import { Readable } from "node:stream";
import type { ContentHasher } from "./content-hasher";
import type { ContextFile, ContextFileType } from "./context-file";
import type { ContextTree } from "./context-tree";
import { xattrSummary } from "./fingerprint";
import { parseSignature, statSignature, type CachedContent } from "./stat-cache";
import type { SelectedPath } from "./walk-sources";

/** A ContextFile backed by an lstat taken during the walk. */
export class ContextFileRecord implements ContextFile {
  readonly source: number;
  readonly path: string;
  readonly contextPath: string;
  readonly type: ContextFileType;
  readonly mode: number;
  readonly size: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtimeMs: number;
  readonly linkTarget?: string;
  readonly devmajor?: number;
  readonly devminor?: number;
  /** A socket: BuildKit's context transfer sends it as an empty regular file (testCopySocket). */
  private readonly socket: boolean;
  private readXattrs: { readonly value: Record<string, Buffer> | undefined } | undefined;
  /** What the stat cache vouches for (a regular file whose stat is unchanged), once asked. */
  private known: CachedContent | null | undefined;
  /**
   * statSignature of the lstat: all the hasher needs of it, and the key of its memos and of the
   * stat cache. Kept instead of the stat (a build holds one record per context file; the five
   * BigInts and their object were a quarter of a record's heap).
   */
  private readonly signature: string;
  private readonly tree: ContextTree;

  constructor(
    tree: ContextTree,
    selected: SelectedPath,
    private readonly hasher: ContentHasher,
  ) {
    const stat = selected.stat;
    this.tree = tree;
    this.signature = statSignature(stat);
    this.source = selected.source;
    this.contextPath = selected.contextPath;
    // One string when they are equal (every file of a `COPY . dest`): a second copy of each
    // path was ~40 bytes of a 200,000-file COPY's heap per file.
    this.path = selected.path === selected.contextPath ? selected.contextPath : selected.path;
    this.socket = stat.isSocket();
    this.type = typeOf(stat);
    this.mode = Number(stat.mode & 0o7777n);
    this.size = this.type === "file" ? Number(stat.size) : 0;
    this.uid = Number(stat.uid);
    this.gid = Number(stat.gid);
    this.mtimeMs = Number(stat.mtimeMs);
    if (this.type === "symlink") this.linkTarget = tree.readlink(selected.contextPath);
    if (this.type === "char-device" || this.type === "block-device") {
      // glibc's major()/minor() encoding of dev_t.
      const rdev = stat.rdev;
      this.devmajor = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
      this.devminor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
    }
  }

  /** Absolute host path (made when asked: a record per context file need not hold it). */
  get hostPath(): string {
    return this.tree.hostPath(this.contextPath);
  }

  /** hostPath for a regular file (not a socket, which reads as empty); undefined otherwise. */
  get contentPath(): string | undefined {
    return this.regular ? this.hostPath : undefined;
  }

  private get regular(): boolean {
    return this.type === "file" && !this.socket;
  }

  /**
   * Everything the fingerprint reads of this entry but its content, as one line: the selection
   * memo's unit (the stat signature stands for the content and xattrs, which cannot change
   * without it).
   */
  selectionLine(): string {
    const dev = this.devmajor === undefined ? "" : `${this.devmajor},${this.devminor ?? 0}`;
    return [this.source, this.path, this.type, this.mode, this.signature, this.linkTarget ?? "", dev].join(
      "\0",
    );
  }

  /** statSignature of the lstat this entry was made from. */
  statSignature(): string {
    return this.signature;
  }

  /** This entry as one of source `index`: the same file, lstat and memos, no second lstat. */
  withSource(index: number): ContextFileRecord {
    if (index === this.source) return this;
    // cast: Object.create gives the prototype's type; every own field is copied onto it next.
    const copy = Object.create(ContextFileRecord.prototype) as ContextFileRecord;
    return Object.assign(copy, this, { source: index });
  }

  contentHash(): Promise<string | undefined> {
    if (this.type !== "file") return Promise.resolve(undefined);
    if (this.socket) return Promise.resolve("socket:empty");
    const known = this.knownContent();
    if (known !== undefined) return Promise.resolve(known.hash);
    return this.hasher.hash(this.contextPath, this.hostPath, parseSignature(this.signature), this.signature);
  }

  knownContentHash(): string | undefined {
    if (this.socket) return "socket:empty";
    return this.knownContent()?.hash;
  }

  open(): Readable {
    return this.socket ? Readable.from([]) : fs.createReadStream(this.hostPath);
  }

  xattrs(): Record<string, Buffer> | undefined {
    // The stat cache's summary of none for this very stat leaves nothing to list.
    if (this.readXattrs === undefined && this.knownContent()?.xattrs === "") this.readXattrs = NO_XATTRS;
    if (this.readXattrs === undefined) {
      const value = this.hasher.xattrs(this.contextPath, this.hostPath, this.signature);
      this.readXattrs = value === undefined ? NO_XATTRS : { value };
    }
    return this.readXattrs.value;
  }

  xattrSummary(): string {
    // Only a regular file's summary is in the stat cache (with its hash).
    if (!this.regular) return xattrSummary(this.xattrs());
    const known = this.knownContent();
    if (known !== undefined) return known.xattrs;
    return this.hasher.xattrSummary(this.contextPath, this.hostPath, this.signature);
  }

  /** The stat cache's entry for a regular file (not a socket), asked once per record. */
  private knownContent(): CachedContent | undefined {
    if (this.known === undefined)
      this.known = !this.regular ? null : (this.hasher.cached(this.contextPath, this.signature) ?? null);
    return this.known ?? undefined;
  }
}

/** The listing of a file without xattrs (nearly all): one object for every such record. */
const NO_XATTRS: { readonly value: undefined } = Object.freeze({ value: undefined });

function typeOf(stat: fs.BigIntStats): ContextFileType {
  if (stat.isFile() || stat.isSocket()) return "file";
  if (stat.isDirectory()) return "directory";
  if (stat.isSymbolicLink()) return "symlink";
  if (stat.isFIFO()) return "fifo";
  if (stat.isCharacterDevice()) return "char-device";
  return "block-device";
}
