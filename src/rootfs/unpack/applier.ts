/**
 * LayerApplier turns tar entries, one at a time and in tar order, into filesystem nodes under a
 * RootResolver's root. Every path it touches comes from the resolver, and every operation on a
 * final component is one that does not follow it (O_EXCL|O_NOFOLLOW open, mkdir, symlink, link,
 * lchown, lutimes, lsetxattr), so nothing outside the root is ever created or changed.
 *
 * Speed: metadata calls (mkdir, symlink, link, lchown, lutimes, chmod, lstat) and file writes
 * are synchronous: a libuv thread-pool hand-off costs more than such a call on the page cache
 * (see writeFile; a busybox layer's 400 symlinks took 190 ms with three hand-offs each), and
 * decompression still runs in the pool meanwhile. Directory metadata is
 * applied once at the end (children would bump mtimes, and a read-only directory would block
 * its own children for a non-root user).
 */
import * as fs from "node:fs";
import { constants as fsc, promises as fsp } from "node:fs";
import type { Stats } from "node:fs";
import type { RootResolver, ResolvedEntry } from "../dir-resolver";
import { baseOf, cleanEntryPath, parentOf } from "../entry-path";
import { isErrno } from "../errors";
import { isOverlayXattr, opaqueXattr } from "../overlay";
import { setXattr } from "../xattrs";
import { rawPaxXattr } from "./pax-raw";
import { UnpackError, ioError } from "./errors";
import { makeNode, removeNode } from "./node-ops";
import type { RemovedKind, SpecialKind } from "./node-ops";
import { emptyStats } from "./options";
import type { ApplyStats, ResolvedApplyOptions, UnpackWarning } from "./options";
import { asBuffer } from "../../bytes";

/**
 * A tar header as tar-stream decodes it at run time: `type` is null for a type flag it does not
 * know, and `pax` holds the entry's PAX records (values decoded as UTF-8).
 */
export interface TarHeader {
  name: string;
  type?: string | null;
  size?: number;
  mode?: number;
  mtime?: Date;
  linkname?: string | null;
  uid?: number;
  gid?: number;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string> | null;
}

/** An entry's data (Buffer chunks), read only for regular files. */
export type EntryContent = AsyncIterable<unknown>;

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";
const XATTR_PAX_PREFIX = "SCHILY.xattr.";
const XATTR_NAMESPACES = ["user.", "trusted.", "security."];
const CREATE_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;

interface DirMeta {
  entry: string;
  mode: number;
  owner: { uid: number; gid: number } | null;
  mtime: Date;
}

/**
 * Throws UNPACK_WHITEOUT_NAME when a segment of `rel` starts with ".wh.": in a layer tar such a
 * name means "delete" (or, `.wh..wh..opq`, "hide the lower directory") to every consumer.
 */
function refuseWhiteoutName(rel: string, name: string): void {
  const seg = rel.split("/").find((s) => s.startsWith(WHITEOUT_PREFIX));
  if (seg === undefined) return;
  const meaning =
    seg === OPAQUE_MARKER
      ? "hides the whole directory from the layers below"
      : `deletes ${JSON.stringify(seg.slice(WHITEOUT_PREFIX.length))} from the layers below`;
  throw new UnpackError(
    "UNPACK_WHITEOUT_NAME",
    `archive entry ${JSON.stringify(name)} is named like a whiteout: in an image layer ${JSON.stringify(seg)} ${meaning}, so it cannot be added as a file`,
    name,
  );
}

export class LayerApplier {
  readonly stats: ApplyStats = emptyStats();
  /** Resolved paths this layer wrote, with their ancestors: what an opaque marker keeps. */
  private readonly written = new Set<string>();
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly umask = process.umask();

  constructor(
    private readonly root: RootResolver,
    private readonly opts: ResolvedApplyOptions,
  ) {}

  /** Applies one entry. `content` is the entry's data stream; it is read only for files. */
  async apply(header: TarHeader, content: EntryContent): Promise<void> {
    this.stats.entries++;
    const name = header.name;
    const rel = cleanEntryPath(name);
    const base = baseOf(rel);
    if (this.opts.whiteoutMode === "refuse") refuseWhiteoutName(rel, name);
    else if (this.opts.whiteoutMode !== "none" && base.startsWith(WHITEOUT_PREFIX)) {
      if (base === OPAQUE_MARKER) return this.opaque(parentOf(rel), name);
      return this.whiteout(parentOf(rel), base.slice(WHITEOUT_PREFIX.length), name);
    }
    switch (header.type) {
      case "file":
      case "contiguous-file":
        return this.file(rel, header, content);
      case "directory":
        return this.directory(rel, header);
      case "symlink":
        return this.symlink(rel, header);
      case "link":
        return this.hardlink(rel, header);
      case "fifo":
      case "character-device":
      case "block-device":
        return this.special(rel, header, header.type);
      default:
        throw new UnpackError(
          "UNPACK_UNSUPPORTED_TYPE",
          `refuse entry ${name}: unsupported tar entry type ${header.type ?? "(unknown type flag)"}`,
          name,
        );
    }
  }

  /** Applies directory metadata. Call once, after the last entry. */
  async finish(): Promise<void> {
    // Deepest first: a parent made read-only must not block its children's updates.
    const rels = [...this.dirMeta.keys()].sort((a, b) => depth(b) - depth(a));
    for (let i = 0; i < rels.length; i += this.opts.concurrency) {
      await Promise.all(rels.slice(i, i + this.opts.concurrency).map((rel) => this.finishDirectory(rel)));
    }
  }

  private async file(rel: string, header: TarHeader, content: EntryContent): Promise<void> {
    const name = header.name;
    const size = header.size ?? 0;
    if (this.stats.bytes + size > this.opts.maxSize)
      throw new UnpackError(
        "UNPACK_TOO_LARGE",
        `refuse entry ${name}: its ${size} bytes would take the layer past ${this.opts.maxSize} bytes, the limit on what one layer or archive may expand to (--max-layer-size)`,
        name,
      );
    const target = await this.resolveForCreate(rel, name);
    const xattrs = this.xattrsOf(header);
    await this.writeFile(target, name, content, header.mode ?? 0o644, header);
    this.track(target.rel);
    this.stats.files++;
    this.stats.bytes += size;
    // After content and chown: both clear security.capability.
    await this.applyXattrs(target.host, xattrs, name);
  }

  /**
   * A file with synchronous fd calls, each chunk written as tar-stream hands it over: measured
   * here, libuv's thread-pool hand-off per call (open, write, fchown, fchmod, futimes, close: six
   * for a small file, one more per 16 KiB chunk) costs more than the calls on the page cache, and
   * made unpacking 20,000 small files several times slower than tar -x.
   */
  private async writeFile(
    target: ResolvedEntry,
    name: string,
    content: EntryContent,
    mode: number,
    header: TarHeader,
  ): Promise<void> {
    const fd = await this.createExclusive(target, name, mode);
    try {
      // A failure to read the entry (a truncated tar) is the tar's, reported as such by the caller.
      for await (const chunk of content) writeAll(fd, asBuffer(chunk), name);
      try {
        const owner = this.ownerFor(header);
        if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
        if (this.needsChmod(mode)) fs.fchmodSync(fd, mode & 0o7777);
        const mtime = mtimeOf(header);
        fs.futimesSync(fd, mtime, mtime);
      } catch (err) {
        throw ioError("write file", name, err);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** open() applied mode & ~umask; special bits also need restoring after chown cleared them. */
  private needsChmod(mode: number): boolean {
    return (mode & 0o7000) !== 0 || (mode & this.umask) !== 0;
  }

  private async directory(rel: string, header: TarHeader): Promise<void> {
    const name = header.name;
    this.stats.directories++;
    const meta: DirMeta = {
      entry: name,
      mode: header.mode ?? 0o755,
      owner: this.ownerFor(header),
      mtime: mtimeOf(header),
    };
    if (rel === "") {
      this.dirMeta.set("", meta);
      return;
    }
    const target = await this.resolveForCreate(rel, name);
    try {
      fs.mkdirSync(target.host, 0o755);
    } catch (err) {
      if (!isErrno(err, "EEXIST")) throw ioError("create directory", name, err);
      if (!lstatOrNullSync(target.host)?.isDirectory()) {
        await this.replace(target, name);
        try {
          fs.mkdirSync(target.host, 0o755);
        } catch (e) {
          throw ioError("create directory", name, e);
        }
      }
    }
    this.track(target.rel);
    this.dirMeta.set(target.rel, meta);
    await this.applyXattrs(target.host, this.xattrsOf(header), name);
  }

  private async symlink(rel: string, header: TarHeader): Promise<void> {
    const name = header.name;
    const target = await this.resolveForCreate(rel, name);
    // The link text is stored as is: it may point anywhere, because the resolver never follows
    // it out of the root.
    const linkText = header.linkname ?? "";
    try {
      try {
        fs.symlinkSync(linkText, target.host);
      } catch (err) {
        if (!isErrno(err, "EEXIST")) throw err;
        await this.replace(target, name);
        fs.symlinkSync(linkText, target.host);
      }
      this.track(target.rel);
      this.setNodeMetadata(target.host, header);
    } catch (err) {
      throw ioError("create symlink", name, err);
    }
    this.stats.symlinks++;
    await this.applyXattrs(target.host, this.xattrsOf(header), name);
  }

  private async hardlink(rel: string, header: TarHeader): Promise<void> {
    const name = header.name;
    const linkRel = cleanEntryPath(header.linkname ?? "");
    const source = linkRel === "" ? null : await this.root.resolveEntry(linkRel, false, name);
    const sourceStat = source ? lstatOrNullSync(source.host) : null;
    if (!source || !sourceStat) {
      throw new UnpackError(
        "UNPACK_BAD_HARDLINK",
        `create hardlink ${name}: target ${header.linkname ?? ""} does not exist inside the target root`,
        name,
      );
    }
    if (sourceStat.isDirectory()) {
      throw new UnpackError(
        "UNPACK_BAD_HARDLINK",
        `create hardlink ${name}: target ${header.linkname ?? ""} is a directory`,
        name,
      );
    }
    const target = await this.resolveForCreate(rel, name);
    if (target.host !== source.host) {
      try {
        try {
          fs.linkSync(source.host, target.host);
        } catch (err) {
          if (!isErrno(err, "EEXIST")) throw err;
          const existing = lstatOrNullSync(target.host);
          if (!existing || existing.ino !== sourceStat.ino || existing.dev !== sourceStat.dev) {
            await this.replace(target, name);
            fs.linkSync(source.host, target.host);
          }
        }
      } catch (err) {
        throw ioError("create hardlink", name, err);
      }
    }
    this.track(target.rel);
    this.stats.hardlinks++;
  }

  private async special(rel: string, header: TarHeader, kind: SpecialKind): Promise<void> {
    const name = header.name;
    if (kind !== "fifo") {
      if (this.opts.devices === "refuse") {
        throw new UnpackError(
          "UNPACK_DEVICE_REFUSED",
          `refuse entry ${name}: device nodes are not allowed (${kind})`,
          name,
        );
      }
      if (this.opts.devices === "skip") {
        this.warn({
          code: "DEVICE_SKIPPED",
          entry: name,
          message: `skip ${kind} ${name}: device nodes are not created`,
        });
        return;
      }
    }
    const target = await this.resolveForCreate(rel, name);
    try {
      await this.replace(target, name);
      await makeNode(target.host, kind, header.mode ?? 0o644, header.devmajor ?? 0, header.devminor ?? 0);
      this.track(target.rel);
      this.setNodeMetadata(target.host, header);
    } catch (err) {
      throw ioError(`create ${kind}`, name, err);
    }
    this.stats.specialFiles++;
    await this.applyXattrs(target.host, this.xattrsOf(header), name);
  }

  /** `.wh.<victim>` in directory `parentRel`. */
  private async whiteout(parentRel: string, victim: string, name: string): Promise<void> {
    if (victim === "" || victim === "." || victim === "..") {
      throw new UnpackError("UNPACK_INVALID_NAME", `refuse whiteout ${name}: it names no entry`, name);
    }
    const victimRel = parentRel === "" ? victim : parentRel + "/" + victim;
    this.stats.whiteouts++;
    if (this.opts.whiteoutMode === "apply") {
      // A missing parent means there is nothing to delete: never create directories for it.
      const target = await this.root.resolveEntry(victimRel, false, name);
      if (!target) return;
      try {
        this.afterRemoval(await removeNode(target.host));
      } catch (err) {
        throw ioError("apply whiteout", name, err);
      }
      return;
    }
    const target = await this.resolveForCreate(victimRel, name);
    try {
      await this.replace(target, name);
      await makeNode(target.host, "character-device", 0, 0, 0);
    } catch (err) {
      throw ioError("create overlay whiteout for", name, err);
    }
    this.track(target.rel);
  }

  /** `.wh..wh..opq` in directory `dirRel`. */
  private async opaque(dirRel: string, name: string): Promise<void> {
    const dir = await this.root.resolveDir(dirRel, true, name);
    if (dir === null)
      throw new UnpackError("UNPACK_IO", `apply opaque marker ${name}: directory could not be created`, name);
    this.stats.opaques++;
    this.track(dir);
    try {
      if (this.opts.whiteoutMode === "apply") await this.clearLower(dir);
      else await setXattr(this.root.host(dir), opaqueXattr(), Buffer.from("y"));
    } catch (err) {
      throw ioError("apply opaque marker", name, err);
    }
  }

  /** Removes everything below `dirRel` that this layer did not write (containerd's walk). */
  private async clearLower(dirRel: string): Promise<void> {
    const children = await fsp.readdir(this.root.host(dirRel), { withFileTypes: true });
    for (const child of children) {
      const childRel = dirRel === "" ? child.name : dirRel + "/" + child.name;
      if (!this.written.has(childRel)) this.afterRemoval(await removeNode(this.root.host(childRel)));
      else if (child.isDirectory()) await this.clearLower(childRel);
    }
  }

  private async finishDirectory(rel: string): Promise<void> {
    // Only directories recorded in dirMeta are finished.
    const meta = this.dirMeta.get(rel) as DirMeta;
    try {
      // Only if the path is still the same real directory: a later entry may have replaced it, or
      // one of its parents, with a symlink.
      if ((await this.root.resolveDir(rel, false, meta.entry)) !== rel) return;
      const host = this.root.host(rel);
      if (!lstatOrNullSync(host)?.isDirectory()) return;
      if (meta.owner) fs.lchownSync(host, meta.owner.uid, meta.owner.gid);
      fs.chmodSync(host, meta.mode & 0o7777);
      fs.lutimesSync(host, meta.mtime, meta.mtime);
    } catch (err) {
      throw ioError("set metadata of directory", meta.entry, err);
    }
  }

  private async resolveForCreate(rel: string, name: string): Promise<ResolvedEntry> {
    if (rel === "")
      throw new UnpackError(
        "UNPACK_INVALID_NAME",
        `refuse entry ${name}: only a directory may stand for the target root`,
        name,
      );
    // With create=true the resolver always returns an entry (it throws otherwise).
    return (await this.root.resolveEntry(rel, true, name)) as ResolvedEntry;
  }

  /** Opens a new file for writing, replacing whatever is there (never following it). */
  private async createExclusive(target: ResolvedEntry, name: string, mode: number): Promise<number> {
    try {
      return fs.openSync(target.host, CREATE_FLAGS, mode & 0o777);
    } catch (err) {
      if (!isErrno(err, "EEXIST")) throw ioError("create file", name, err);
    }
    await this.replace(target, name);
    try {
      return fs.openSync(target.host, CREATE_FLAGS, mode & 0o777);
    } catch (err) {
      throw ioError("create file", name, err);
    }
  }

  /** Removes the node at `target` so a new one can take its place. */
  private async replace(target: ResolvedEntry, name: string): Promise<void> {
    try {
      this.afterRemoval(await removeNode(target.host));
    } catch (err) {
      throw ioError("replace existing", name, err);
    }
  }

  /** Cached resolutions may run through a removed directory or symlink. */
  private afterRemoval(kind: RemovedKind): void {
    if (kind === "directory" || kind === "symlink") this.root.invalidate();
  }

  private track(rel: string): void {
    if (this.opts.whiteoutMode !== "apply") return;
    for (let r = rel; r !== "" && !this.written.has(r); r = parentOf(r)) this.written.add(r);
  }

  /** Owner and times of a symlink or special file (path-based, never following it). */
  private setNodeMetadata(host: string, header: TarHeader): void {
    const owner = this.ownerFor(header);
    if (owner) fs.lchownSync(host, owner.uid, owner.gid);
    const mtime = mtimeOf(header);
    fs.lutimesSync(host, mtime, mtime);
  }

  private ownerFor(header: TarHeader): { uid: number; gid: number } | null {
    const owner = this.opts.owner;
    if (owner === "tar") return { uid: header.uid ?? 0, gid: header.gid ?? 0 };
    return owner;
  }

  private xattrsOf(header: TarHeader): Array<[string, Buffer]> {
    if (!this.opts.xattrs || !header.pax) return [];
    const out: Array<[string, Buffer]> = [];
    for (const [key, value] of Object.entries(header.pax)) {
      if (!key.startsWith(XATTR_PAX_PREFIX)) continue;
      const xattr = key.slice(XATTR_PAX_PREFIX.length);
      if (!XATTR_NAMESPACES.some((ns) => xattr.startsWith(ns))) continue;
      if (isOverlayXattr(xattr)) {
        // overlayfs bookkeeping from a tar would make a directory opaque (or worse) to RUN and
        // COPY alike; a layer's opaque directories come only from its .wh..wh..opq entries.
        this.warn({
          code: "XATTR_SKIPPED",
          entry: header.name,
          message: `skip xattr ${xattr} of ${header.name}: overlayfs attributes are not file content`,
        });
        continue;
      }
      const raw = rawPaxXattr(header.pax, xattr);
      if (raw !== undefined) {
        out.push([xattr, raw]);
        continue;
      }
      if (value.includes("\uFFFD")) {
        // tar-stream decodes PAX values as UTF-8; without the raw bytes (./pax-raw.ts) it is lost.
        this.warn({
          code: "XATTR_SKIPPED",
          entry: header.name,
          message: `skip xattr ${xattr} of ${header.name}: value is not valid UTF-8 as decoded`,
        });
        continue;
      }
      out.push([xattr, Buffer.from(value, "utf8")]);
    }
    return out;
  }

  private async applyXattrs(host: string, xattrs: Array<[string, Buffer]>, name: string): Promise<void> {
    for (const [xattr, value] of xattrs) {
      try {
        await setXattr(host, xattr, value);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        this.warn({
          code: "XATTR_SKIPPED",
          entry: name,
          message: `set xattr ${xattr} on ${name}: ${detail}`,
        });
      }
    }
  }

  private warn(warning: UnpackWarning): void {
    this.stats.warnings++;
    this.opts.onWarning(warning);
  }
}

function writeAll(fd: number, data: Buffer, name: string): void {
  try {
    for (let off = 0; off < data.length;) off += fs.writeSync(fd, data, off, data.length - off);
  } catch (err) {
    throw ioError("write file", name, err);
  }
}

function lstatOrNullSync(host: string): Stats | null {
  return fs.lstatSync(host, { throwIfNoEntry: false }) ?? null;
}

function mtimeOf(header: TarHeader): Date {
  return header.mtime ?? new Date(0);
}

function depth(rel: string): number {
  let n = rel === "" ? 0 : 1;
  for (let i = rel.indexOf("/"); i >= 0; i = rel.indexOf("/", i + 1)) n++;
  return n;
}
