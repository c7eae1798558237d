/**
 * The copying snapshotter, for kernels where overlayfs cannot be mounted (Linux < 5.11 in a user
 * namespace; BuildKit's "native" snapshotter and Buildah's vfs driver do the same): RUN's root is a
 * plain copy of the merged lower layers, and afterwards its changes are written to the step's
 * upper dir in overlayfs's own format (changed entries with their parents, whiteouts for removed
 * names, opaque markers for replaced directories). Everything after the run — mount-stub removal,
 * `diffUpperDir`, the layer writer — is the same as with overlayfs, so both give the same layer.
 *
 * A change is found by inode and ctime: a process can set every other timestamp, but the kernel
 * sets ctime on every change of content or metadata, so an entry whose inode and ctime are the
 * ones recorded after the copy is unchanged. A directory replaced by a new one is told by its
 * inode and birth time (an inode number can be reused at once).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LayerView, type ViewStat } from "../rootfs/layer-view";
import { isOverlayXattr, opaqueXattr } from "../rootfs/overlay";
import { getXattr, listXattrs, setXattrSync } from "../rootfs/xattrs";
import { errorMessage } from "../errors";
import { ExecutorError } from "./errors";
import { childProcess } from "../lazy-builtins";

/** The copy of the lower layers a RUN step runs in, with what each entry was after copying. */
export interface CopySnapshot {
  root: string;
  /** Root-relative path → "inode:birth-ns:ctime-ns" right after the copy. */
  readonly copied: Map<string, string>;
}

/** Copies the merged view of `lowerDirs` (top first) into the new directory `root`. */
export async function copyLowerDirs(lowerDirs: readonly string[], root: string): Promise<CopySnapshot> {
  try {
    await fs.promises.mkdir(root);
    const view = new LayerView(lowerDirs);
    const dirs: Array<[string, ViewStat]> = [];
    for (const entry of view.walk("")) {
      const host = entry.viewPath === "" ? root : path.join(root, entry.viewPath);
      const st = entry.stat;
      if (st.type === "directory") {
        if (entry.viewPath !== "") fs.mkdirSync(host);
        dirs.push([host, st]);
        copyMeta(st.hostPath, host, st);
        continue;
      }
      if (st.type === "socket") continue;
      // Hardlinks between lower entries are not kept: overlayfs (index=off) breaks them on the
      // first copy-up too, so a write through one name never shows through the other.
      makeEntry(st, st.hostPath, host, entry.linkTarget);
      copyMeta(st.hostPath, host, st);
    }
    // Directory times last, children first: creating entries in a directory moves its mtime.
    for (const [host, st] of dirs.reverse()) setTimes(host, st.mtimeMs);
    return { root, copied: identities(root) };
  } catch (err) {
    if (err instanceof ExecutorError) throw err;
    throw new ExecutorError("EXECUTOR_SNAPSHOT", `copy the layers for RUN: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

/**
 * Writes what changed in `snap.root` since the copy into the empty `upperDir`, as overlayfs would
 * have left it: changed and new entries (moved, not copied: the snapshot is thrown away after),
 * their parent directories, a whiteout (character device 0/0) for each removed name, and a
 * replaced directory marked opaque with all of its contents.
 */
export function exportChanges(snap: CopySnapshot, upperDir: string): void {
  try {
    const writer = new UpperWriter(snap.root, upperDir);
    const seen = new Set<string>([""]);
    walkChanges(snap, "", false, seen, writer);
    // A removed name whose parent still exists gets a whiteout; below a removed or replaced
    // directory nothing more is needed (its whiteout or opaque marker hides all of it).
    for (const rel of [...snap.copied.keys()].sort()) {
      if (rel === "" || seen.has(rel)) continue;
      const parent = path.dirname(rel) === "." ? "" : path.dirname(rel);
      if (!seen.has(parent) || writer.isOpaque(parent)) continue;
      writer.whiteout(rel);
    }
    writer.finish();
  } catch (err) {
    if (err instanceof ExecutorError) throw err;
    throw new ExecutorError("EXECUTOR_SNAPSHOT", `collect the changes of RUN: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function walkChanges(
  snap: CopySnapshot,
  dirRel: string,
  allNew: boolean,
  seen: Set<string>,
  writer: UpperWriter,
): void {
  const dirHost = dirRel === "" ? snap.root : path.join(snap.root, dirRel);
  for (const name of fs.readdirSync(dirHost)) {
    const rel = dirRel === "" ? name : `${dirRel}/${name}`;
    const st = fs.lstatSync(path.join(snap.root, rel), { bigint: true });
    seen.add(rel);
    // Taken before anything below moves out (a move changes the directory's mtime).
    if (st.isDirectory()) writer.dirStats.set(rel, st);
    const before = snap.copied.get(rel);
    const changed = allNew || before !== identity(st);
    if (st.isDirectory()) {
      // A directory born after the copy (a new inode, or a reused inode number with a new birth
      // time) replaced whatever was there: opaque, all contents new.
      const replaced = !allNew && before !== undefined && bornOf(before) !== bornOf(identity(st));
      const isNew = allNew || before === undefined || replaced;
      if (changed) writer.directory(rel, replaced);
      walkChanges(snap, rel, isNew, seen, writer);
    } else if (changed && !st.isSocket()) {
      writer.move(rel);
    }
  }
}

/** The upper dir being written: parents made on demand, directory metadata applied at the end. */
class UpperWriter {
  private readonly made = new Set<string>([""]);
  private readonly opaque = new Set<string>();
  private readonly moved = new Map<string, string>();
  /** Directories of the snapshot as they were before the walk moved anything out of them. */
  readonly dirStats = new Map<string, fs.BigIntStats>();

  constructor(
    private readonly root: string,
    private readonly upper: string,
  ) {}

  isOpaque(rel: string): boolean {
    return this.opaque.has(rel);
  }

  directory(rel: string, opaque: boolean): void {
    this.parents(rel);
    if (!this.made.has(rel)) {
      fs.mkdirSync(path.join(this.upper, rel));
      this.made.add(rel);
    }
    if (opaque) this.opaque.add(rel);
  }

  move(rel: string): void {
    this.parents(rel);
    const from = path.join(this.root, rel);
    const to = path.join(this.upper, rel);
    const st = fs.lstatSync(from);
    // Hardlinks stay hardlinks: the second name links to the first one moved.
    const inode = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? this.moved.get(inode) : undefined;
    if (first !== undefined) {
      fs.linkSync(first, to);
      return;
    }
    fs.renameSync(from, to);
    if (st.nlink > 1) this.moved.set(inode, to);
  }

  whiteout(rel: string): void {
    this.parents(rel);
    childProcess().execFileSync("mknod", [path.join(this.upper, rel), "c", "0", "0"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
  }

  finish(): void {
    for (const rel of this.opaque) setXattrSync(path.join(this.upper, rel), opaqueXattr(), Buffer.from("y"));
    // Deepest first, so making a child never moves a parent's time after it was set.
    const dirs = [...this.made].sort((a, b) => b.split("/").length - a.split("/").length);
    for (const rel of dirs) {
      // The upper dir itself is never part of a layer (diffUpperDir reads below it).
      if (rel === "") continue;
      const from = path.join(this.root, rel);
      const to = path.join(this.upper, rel);
      const st = this.dirStats.get(rel) ?? fs.lstatSync(from, { bigint: true });
      fs.chownSync(to, Number(st.uid), Number(st.gid));
      fs.chmodSync(to, Number(st.mode) & 0o7777);
      copyXattrs(from, to);
      setTimes(to, Number(st.mtimeMs));
    }
  }

  private parents(rel: string): void {
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join("/");
      if (this.made.has(p)) continue;
      fs.mkdirSync(path.join(this.upper, p));
      this.made.add(p);
    }
  }
}

function makeEntry(st: ViewStat, source: string, host: string, linkTarget: string | undefined): void {
  switch (st.type) {
    case "file":
      fs.copyFileSync(source, host, fs.constants.COPYFILE_FICLONE);
      return;
    case "symlink":
      fs.symlinkSync(linkTarget ?? fs.readlinkSync(source), host);
      return;
    case "fifo":
      childProcess().execFileSync("mknod", [host, "p"], { stdio: ["ignore", "ignore", "pipe"] });
      return;
    case "char-device":
    case "block-device":
      childProcess().execFileSync(
        "mknod",
        [host, st.type === "char-device" ? "c" : "b", String(st.devmajor ?? 0), String(st.devminor ?? 0)],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      return;
    case "directory":
    case "socket":
      return;
  }
}

/** Owner, mode (after chown, which clears set-id bits), xattrs and times of a non-directory. */
function copyMeta(source: string, host: string, st: ViewStat): void {
  fs.lchownSync(host, st.uid, st.gid);
  if (st.type !== "symlink") fs.chmodSync(host, st.mode);
  copyXattrs(source, host);
  if (st.type !== "directory") setTimes(host, st.mtimeMs);
}

function copyXattrs(source: string, host: string): void {
  for (const name of listXattrs(source)) {
    if (isOverlayXattr(name)) continue;
    const value = getXattr(source, name);
    if (value === undefined) continue;
    setXattrSync(host, name, value);
  }
}

function setTimes(host: string, mtimeMs: number): void {
  const t = mtimeMs / 1000;
  fs.lutimesSync(host, t, t);
}

/** "inode:birth-ns:ctime-ns": birth time tells a reused inode number from the original. */
function identity(st: fs.BigIntStats): string {
  return `${st.ino}:${st.birthtimeNs}:${st.ctimeNs}`;
}

/** The inode and birth time of an identity (what a replacement changes, unlike a modification). */
function bornOf(id: string): string {
  return id.slice(0, id.lastIndexOf(":"));
}

function identities(root: string): Map<string, string> {
  const out = new Map<string, string>();
  out.set("", identity(fs.lstatSync(root, { bigint: true })));
  const walk = (dirRel: string): void => {
    const dirHost = dirRel === "" ? root : path.join(root, dirRel);
    for (const name of fs.readdirSync(dirHost)) {
      const rel = dirRel === "" ? name : `${dirRel}/${name}`;
      const st = fs.lstatSync(path.join(root, rel), { bigint: true });
      out.set(rel, identity(st));
      if (st.isDirectory()) walk(rel);
    }
  };
  walk("");
  return out;
}
