/**
 * The one merged read-only view over a stack of layer directories (unpacked image layers, a RUN
 * step's upper dir on top of its lowers), read the way overlayfs reads its lower dirs, with the
 * rules of ./overlay.ts: a whiteout hides the name below it, an opaque directory hides everything
 * below it in lower layers, an entry that is not a directory hides whatever lower layers hold at
 * that name. COPY reads its sources and destination through it; RUN resolves its working
 * directory, mount targets and USER through it before the container starts.
 *
 * Paths are root-relative or absolute, both meaning the same ("/etc/passwd" = "etc/passwd").
 * Symlinks are followed *inside the root* by ./resolve.ts: an absolute target restarts at the
 * view's root, ".." stops at the root, so no link leads to the host. Host paths are only ever
 * built from components found to be real directories in a layer, so the host's own symlinks are
 * never traversed either.
 *
 * The layer directories must not change while a view is in use (lookups are cached). A tree
 * unpacked with whiteouts applied (one flattened directory) is a one-layer view; in it a genuine
 * 0/0 character device would read as a whiteout, which image layers never carry in practice.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { RootfsError } from "./errors";
import { joinRel } from "./entry-path";
import { isOpaqueDir, isWhiteout } from "./overlay";
import { resolveInRoot, type NodeKind } from "./resolve";
import { errnoCode, errorMessage } from "../errors";

/** "socket" entries have no tar form; copies leave them out. */
export type ViewEntryType =
  "file" | "directory" | "symlink" | "fifo" | "char-device" | "block-device" | "socket";

/** An entry of the merged view, as lstat shows it. */
export interface ViewStat {
  type: ViewEntryType;
  /** Permission and special bits only (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of a regular file; 0 otherwise. */
  size: number;
  mtimeMs: number;
  devmajor?: number;
  devminor?: number;
  /** Where the entry lives on the host (in the top-most layer that provides it). */
  hostPath: string;
}

/** One entry met by `walk`. */
export interface ViewWalkEntry {
  /** Relative to the walked directory: "." for the directory itself, "a/b.txt" below it. */
  path: string;
  /** Root-relative path in the view ("" is the root). */
  viewPath: string;
  stat: ViewStat;
  /** A symlink's target as stored (never followed during a walk). */
  linkTarget?: string;
}

/** Result of resolving a path inside the root. */
export interface ResolvedViewPath {
  /** Clean root-relative path after following symlinks ("" is the root). Missing tails stay lexical. */
  path: string;
  /** The entry there, or undefined when it does not exist. */
  stat: ViewStat | undefined;
}

/** A path found in the merged view: its stat and, for a directory, the layer dirs that merge into it. */
interface Node {
  stat: ViewStat;
  /** Host directories merged (top first) when this is a directory; empty otherwise. */
  dirs: string[];
}

export class LayerView {
  private readonly nodes = new Map<string, Node | null>();
  private readonly root: Node;

  /**
   * @param layers unpacked layer directories, top-most first (an empty stack is `FROM scratch`).
   */
  constructor(readonly layers: readonly string[]) {
    const dirs: string[] = [];
    let stat: ViewStat | undefined;
    for (const layer of layers) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(layer);
      } catch (err) {
        throw new RootfsError(
          "ROOTFS_NOT_FOUND",
          `open layer view: layer ${layer}: ${errorMessage(err)}`,
          layer,
          {
            cause: err,
          },
        );
      }
      if (!st.isDirectory())
        throw new RootfsError(
          "ROOTFS_NOT_A_DIRECTORY",
          `open layer view: layer ${layer} is not a directory`,
          layer,
        );
      stat ??= toViewStat(st, layer);
      dirs.push(layer);
      if (isOpaqueDir(layer)) break;
    }
    stat ??= { type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0, mtimeMs: 0, hostPath: "" };
    this.root = { stat, dirs };
  }

  /** The entry at `p` (symlinks in parents followed, a final symlink not), or undefined. */
  lstat(p: string): ViewStat | undefined {
    return this.resolve(p, { followLast: false }).stat;
  }

  /** The entry `p` leads to once every symlink is followed inside the root, or undefined. */
  stat(p: string): ViewStat | undefined {
    return this.resolve(p).stat;
  }

  exists(p: string): boolean {
    return this.lstat(p) !== undefined;
  }

  /** Whether `p` is a directory or a symlink leading (inside the root) to one. */
  isDirectory(p: string): boolean {
    return this.stat(p)?.type === "directory";
  }

  /** A symlink's target as stored. Throws ROOTFS_NOT_FOUND if `p` is not a symlink. */
  readlink(p: string): string {
    const st = this.lstat(p);
    if (st?.type !== "symlink")
      throw new RootfsError("ROOTFS_NOT_FOUND", `read link ${p}: not a symbolic link`, p);
    return fs.readlinkSync(st.hostPath);
  }

  /** Contents of the regular file `p` leads to, at most `maxBytes`; undefined when it is not one. */
  readFile(p: string, maxBytes = 16 * 1024 * 1024): Buffer | undefined {
    const st = this.stat(p);
    if (st?.type !== "file") return undefined;
    const buf = Buffer.alloc(Math.min(st.size, maxBytes));
    const fd = fs.openSync(st.hostPath, "r");
    try {
      return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Names in directory `p` (followed), whiteouts and hidden lower entries left out, in byte order. */
  readdir(p: string): string[] {
    const { path: rel } = this.resolve(p);
    const node = this.node(rel);
    if (node === null || node.stat.type !== "directory") {
      throw new RootfsError("ROOTFS_NOT_A_DIRECTORY", `read directory ${p}: not a directory`, p);
    }
    return this.listNode(node);
  }

  /** The content of the regular file `p` leads to. */
  open(p: string): Readable {
    const st = this.stat(p);
    if (st?.type !== "file") throw new RootfsError("ROOTFS_NOT_FOUND", `open ${p}: not a regular file`, p);
    return fs.createReadStream(st.hostPath, { highWaterMark: 256 * 1024 });
  }

  /** Opens a regular file by the host path a ViewStat of this view gave. */
  openHost(hostPath: string): Readable {
    return fs.createReadStream(hostPath, { highWaterMark: 256 * 1024 });
  }

  /** Reads a symlink by the host path a ViewStat of this view gave. */
  readlinkHost(hostPath: string): string {
    return fs.readlinkSync(hostPath);
  }

  /**
   * Follows `p` inside the root (./resolve.ts). A missing component ends the walk: the rest is
   * appended lexically and `stat` is undefined. Throws ROOTFS_NOT_A_DIRECTORY when a non-final
   * component exists but is not a directory, ROOTFS_SYMLINK_LOOP after MAX_SYMLINKS links.
   */
  resolve(p: string, options: { followLast?: boolean } = {}): ResolvedViewPath {
    const r = resolveInRoot(
      {
        kind: (rel) => kindOf(this.node(rel)),
        // The resolver reads only links that kind() reported, so the node exists.
        readlink: (rel) => fs.readlinkSync((this.node(rel) as Node).stat.hostPath),
      },
      p,
      { followFinal: options.followLast ?? true },
    );
    if (r.notDirectory !== undefined) {
      throw new RootfsError(
        "ROOTFS_NOT_A_DIRECTORY",
        `resolve ${p}: /${r.notDirectory} is not a directory`,
        p,
      );
    }
    // resolve reported the path as existing (kind defined), so its node exists.
    return { path: r.path, stat: r.kind === undefined ? undefined : (this.node(r.path) as Node).stat };
  }

  /**
   * The directory `p` leads to (followed) as itself (".") then everything below it, depth first,
   * names in byte order, symlinks below it not followed. A non-directory yields itself alone.
   */
  *walk(p: string): Generator<ViewWalkEntry> {
    const { path: rel, stat } = this.resolve(p);
    if (stat === undefined)
      throw new RootfsError("ROOTFS_NOT_FOUND", `walk ${p}: no such file or directory`, p);
    yield this.walkEntry(".", rel, stat);
    if (stat.type === "directory") yield* this.walkBelow(rel, "");
  }

  private *walkBelow(dir: string, prefix: string): Generator<ViewWalkEntry> {
    const node = this.node(dir);
    if (node === null) return;
    for (const name of this.listNode(node)) {
      const viewPath = joinRel(dir, name);
      const child = this.node(viewPath);
      if (child === null) continue;
      yield this.walkEntry(prefix + name, viewPath, child.stat);
      if (child.stat.type === "directory") yield* this.walkBelow(viewPath, `${prefix}${name}/`);
    }
  }

  private walkEntry(rel: string, viewPath: string, stat: ViewStat): ViewWalkEntry {
    const entry: ViewWalkEntry = { path: rel, viewPath, stat };
    if (stat.type === "symlink") entry.linkTarget = fs.readlinkSync(stat.hostPath);
    return entry;
  }

  private listNode(node: Node): string[] {
    const seen = new Set<string>();
    const names: string[] = [];
    for (const dir of node.dirs) {
      for (const name of fs.readdirSync(dir)) {
        if (seen.has(name)) continue;
        seen.add(name);
        // The first layer holding a name decides: a whiteout there hides it for good.
        if (!isWhiteout(fs.lstatSync(path.join(dir, name)))) names.push(name);
      }
    }
    return names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  /** The merged entry at clean root-relative `rel`, symlinks not followed anywhere; null if none. */
  private node(rel: string): Node | null {
    if (rel === "") return this.root;
    const cached = this.nodes.get(rel);
    if (cached !== undefined) return cached;
    const slash = rel.lastIndexOf("/");
    const parent = this.node(slash < 0 ? "" : rel.slice(0, slash));
    const found = parent === null ? null : childOf(parent, rel.slice(slash + 1));
    this.nodes.set(rel, found);
    return found;
  }
}

/** Looks `name` up in the layers merged into `parent`, top first, as overlayfs does. */
function childOf(parent: Node, name: string): Node | null {
  let found: Node | null = null;
  for (const dir of parent.dirs) {
    const host = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(host);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") continue;
      throw new RootfsError("ROOTFS_IO", `read layer entry ${host}: ${errorMessage(err)}`, host, {
        cause: err,
      });
    }
    if (found === null) {
      if (isWhiteout(st)) return null;
      found = { stat: toViewStat(st, host), dirs: [] };
      if (!st.isDirectory()) return found;
      found.dirs.push(host);
    } else {
      // Below a directory: lower directories merge in; anything else ends the merge.
      if (!st.isDirectory()) return found;
      found.dirs.push(host);
    }
    if (isOpaqueDir(host)) return found;
  }
  return found;
}

function kindOf(node: Node | null): NodeKind | undefined {
  if (node === null) return undefined;
  return node.stat.type === "directory" ? "directory" : node.stat.type === "symlink" ? "symlink" : "other";
}

function toViewStat(st: fs.Stats, hostPath: string): ViewStat {
  const out: ViewStat = {
    type: typeOf(st),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: st.isFile() ? st.size : 0,
    mtimeMs: st.mtimeMs,
    hostPath,
  };
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    // Linux dev_t: major in bits 8-19 (+ high bits), minor in bits 0-7 and 20-31.
    out.devmajor = (st.rdev >>> 8) & 0xfff;
    out.devminor = (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00);
  }
  return out;
}

function typeOf(st: fs.Stats): ViewEntryType {
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isCharacterDevice()) return "char-device";
  if (st.isBlockDevice()) return "block-device";
  if (st.isFIFO()) return "fifo";
  if (st.isSocket()) return "socket";
  return "file";
}
