/**
 * RootResolver: resolveInRoot over a real directory that one writer owns (an unpack target, a
 * flattened stage). What it returns is a host path whose every directory component is a real
 * directory inside the root (no symlinks), so handing it to a path-based syscall that does not
 * follow its last component is safe as long as nobody else changes the tree meanwhile: it is
 * meant for a private directory with one writer, not for a tree other processes modify.
 */
import * as fs from "node:fs";
import { RootfsError, isErrno } from "./errors";
import { baseOf, joinRel, parentOf } from "./entry-path";
import { resolveInRoot, type NodeKind, type ResolveTree } from "./resolve";
import { ioError } from "./unpack/errors";
import { errorMessage } from "../errors";

/** Where an entry lands: its resolved parent directory and its own (unfollowed) host path. */
export interface ResolvedEntry {
  /** Root-relative path of the entry after resolving its parent's symlinks. */
  rel: string;
  /** Absolute host path of the entry; every directory in it is a real directory inside the root. */
  host: string;
}

export class RootResolver {
  /**
   * Logical directory path → resolved root-relative path of a real directory. Valid while no
   * existing directory or symlink is removed or replaced; callers `invalidate()` when they do.
   */
  private readonly dirs = new Map<string, string>();
  /** Resolved paths known to be real directories: walking through them costs no syscall. */
  private readonly realDirs = new Set<string>();

  private constructor(
    /** Real (symlink-free) absolute path of the root. */
    readonly root: string,
  ) {}

  /** Creates `targetDir` if missing and returns a resolver rooted at its real path. */
  static async open(targetDir: string): Promise<RootResolver> {
    try {
      await fs.promises.mkdir(targetDir, { recursive: true });
      return new RootResolver(await fs.promises.realpath(targetDir));
    } catch (err) {
      throw ioError("open target directory", targetDir, err);
    }
  }

  /** Host path of a resolved root-relative path. */
  host(rel: string): string {
    return rel === "" ? this.root : `${this.root}/${rel}`;
  }

  /** Forget every cached resolution: a directory or symlink was removed or replaced. */
  invalidate(): void {
    this.dirs.clear();
    this.realDirs.clear();
  }

  /**
   * Resolves directory `rel` (clean, root-relative), following every symlink inside the root.
   * Missing directories are created (mode 0755) when `create`, else the result is null.
   * `entry` names the tar entry for error messages.
   */
  async resolveDir(rel: string, create: boolean, entry: string): Promise<string | null> {
    return this.dir(rel, create, entry);
  }

  /**
   * Resolves where entry `rel` lands: its parent is resolved (and created when `create`), its last
   * component is not followed, so the entry itself may be a symlink that gets replaced. Returns null
   * when the parent is missing and `create` is false. `rel` must not be "" (the root).
   */
  async resolveEntry(rel: string, create: boolean, entry: string): Promise<ResolvedEntry | null> {
    const parent = this.dir(parentOf(rel), create, entry);
    if (parent === null) return null;
    const resolved = joinRel(parent, baseOf(rel));
    return { rel: resolved, host: this.host(resolved) };
  }

  private dir(rel: string, create: boolean, entry: string): string | null {
    if (rel === "") return "";
    const cached = this.dirs.get(rel);
    if (cached !== undefined) return cached;
    const tree = this.tree(entry);
    const r = resolveInRoot(tree, rel, {
      ...(create ? { create: (p: string) => this.mkdir(p, entry), createFinal: true } : {}),
    });
    if (r.notDirectory !== undefined || (r.kind !== undefined && r.kind !== "directory")) {
      throw new RootfsError(
        "ROOTFS_NOT_A_DIRECTORY",
        `resolve ${entry}: ${r.notDirectory ?? r.path} is not a directory`,
        entry,
      );
    }
    if (r.kind === undefined) return null;
    this.dirs.set(rel, r.path);
    for (let d = r.path; d !== "" && !this.realDirs.has(d); d = parentOf(d)) this.realDirs.add(d);
    return r.path;
  }

  private tree(entry: string): ResolveTree {
    return {
      kind: (rel) => {
        if (this.realDirs.has(rel)) return "directory";
        let st: fs.Stats;
        try {
          st = fs.lstatSync(this.host(rel));
        } catch (err) {
          if (isErrno(err, "ENOENT")) return undefined;
          throw ioError("resolve parent directory of", entry, err);
        }
        return kindOf(st);
      },
      readlink: (rel) => {
        try {
          return fs.readlinkSync(this.host(rel));
        } catch (err) {
          throw ioError("read symlink in path of", entry, err);
        }
      },
    };
  }

  private mkdir(rel: string, entry: string): boolean {
    try {
      fs.mkdirSync(this.host(rel), 0o755);
      return true;
    } catch (err) {
      if (isErrno(err, "EEXIST")) return false;
      throw ioError("create parent directory of", entry, err);
    }
  }
}

export function kindOf(st: fs.Stats): NodeKind {
  return st.isDirectory() ? "directory" : st.isSymbolicLink() ? "symlink" : "other";
}

/** Where a path inside a real directory leads, every symlink followed inside it. */
export interface DirectoryPath {
  rel: string;
  /** Host path; every component is a real entry inside the root (no symlink left to follow). */
  host: string;
  kind: NodeKind | undefined;
}

/**
 * Resolves `p` inside the real directory `root` (one private writer, like RootResolver), the
 * last component followed too: what a bind mount of `p` from that root must mount.
 */
export function resolveInDirectory(root: string, p: string): DirectoryPath {
  const host = (rel: string): string => (rel === "" ? root : `${root}/${rel}`);
  const r = resolveInRoot(
    {
      kind: (rel) => {
        try {
          return kindOf(fs.lstatSync(host(rel)));
        } catch (err) {
          if (isErrno(err, "ENOENT")) return undefined;
          throw new RootfsError("ROOTFS_IO", `resolve ${p}: ${errorMessage(err)}`, p, { cause: err });
        }
      },
      readlink: (rel) => fs.readlinkSync(host(rel)),
    },
    p,
  );
  if (r.notDirectory !== undefined) {
    throw new RootfsError("ROOTFS_NOT_A_DIRECTORY", `resolve ${p}: /${r.notDirectory} is not a directory`, p);
  }
  return { rel: r.path, host: host(r.path), kind: r.kind };
}
