/**
 * Path handling that can never leave a root directory, for unpacking untrusted tars.
 *
 * `cleanEntryPath` turns a tar entry name into a clean root-relative path (absolute names are
 * contained: "/etc/x" → "etc/x", as containerd and umoci do; names that climb above the root with
 * ".." are refused, as Docker and GNU tar do).
 *
 * `RootResolver` resolves such a path component by component inside the root with the semantics of
 * securejoin / openat2(RESOLVE_IN_ROOT): a symlink met on the way is read and followed *relative to
 * the root* (an absolute target restarts at the root, ".." stops at the root), so no symlink, however
 * chained, can lead outside. What it returns is a host path whose every directory component is a
 * real directory (no symlinks), so handing it to a path-based syscall is safe as long as nobody else
 * changes the tree meanwhile: the resolver is meant for a private target directory with one writer
 * (the unpacker), not for a tree other processes modify concurrently.
 */
import { promises as fsp } from "node:fs";
import type { Stats } from "node:fs";
import * as path from "node:path";
import { UnpackError, ioError } from "./unpack/errors";

/** Linux limits: bytes in one path component, bytes in a whole path. */
const NAME_MAX = 255;
const PATH_MAX = 4096;
/** Like Linux's MAXSYMLINKS: more links than this on one resolution is a loop. */
const MAX_SYMLINKS = 40;

/**
 * Cleans a tar entry name to a root-relative POSIX path without ".", "..", empty segments, leading
 * or trailing "/" ("" is the root itself). Throws UNPACK_PATH_ESCAPE when ".." climbs above the
 * root and UNPACK_INVALID_NAME for NUL bytes or names longer than Linux accepts.
 */
export function cleanEntryPath(name: string): string {
  if (name.includes("\0")) {
    throw new UnpackError(
      "UNPACK_INVALID_NAME",
      `refuse entry ${JSON.stringify(name)}: name contains a NUL byte`,
      name,
    );
  }
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) {
        throw new UnpackError(
          "UNPACK_PATH_ESCAPE",
          `refuse entry ${name}: path climbs above the target root`,
          name,
        );
      }
      out.pop();
      continue;
    }
    if (Buffer.byteLength(part) > NAME_MAX) {
      throw new UnpackError(
        "UNPACK_INVALID_NAME",
        `refuse entry ${name.slice(0, 80)}...: a path component is longer than ${NAME_MAX} bytes`,
        name,
      );
    }
    out.push(part);
  }
  const cleaned = out.join("/");
  if (Buffer.byteLength(cleaned) > PATH_MAX) {
    throw new UnpackError(
      "UNPACK_INVALID_NAME",
      `refuse entry ${cleaned.slice(0, 80)}...: path is longer than ${PATH_MAX} bytes`,
      name,
    );
  }
  return cleaned;
}

/** The parent of a clean root-relative path ("" for top-level entries and the root). */
export function parentOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/** The last component of a clean root-relative path. */
export function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf("/") + 1);
}

/** Where an entry lands: its resolved parent directory and its own (unfollowed) host path. */
export interface ResolvedEntry {
  /** Root-relative path of the entry after resolving its parent's symlinks. */
  rel: string;
  /** Absolute host path of the entry; every directory in it is a real directory inside the root. */
  host: string;
}

export class RootResolver {
  /** Real (symlink-free) absolute path of the root. */
  readonly root: string;
  /**
   * Logical directory path → resolved root-relative path of a real directory. Valid while no
   * existing directory or symlink is removed or replaced; callers `invalidate()` when they do.
   */
  private readonly dirs = new Map<string, string>();

  private constructor(root: string) {
    this.root = root;
  }

  /** Creates `targetDir` if missing and returns a resolver rooted at its real path. */
  static async open(targetDir: string): Promise<RootResolver> {
    try {
      await fsp.mkdir(targetDir, { recursive: true });
      return new RootResolver(await fsp.realpath(targetDir));
    } catch (err) {
      throw ioError("open target directory", targetDir, err);
    }
  }

  /** Host path of a resolved root-relative path. */
  host(rel: string): string {
    return rel === "" ? this.root : this.root + "/" + rel;
  }

  /** Forget every cached resolution: a directory or symlink was removed or replaced. */
  invalidate(): void {
    this.dirs.clear();
  }

  /**
   * Resolves directory `rel` (clean, root-relative), following every symlink inside the root.
   * Missing directories are created (mode 0755) when `create`, else the result is null.
   * `entry` names the tar entry for error messages.
   */
  async resolveDir(rel: string, create: boolean, entry: string): Promise<string | null> {
    if (rel === "") return "";
    const cached = this.dirs.get(rel);
    if (cached !== undefined) return cached;
    const parent = await this.resolveDir(parentOf(rel), create, entry);
    if (parent === null) return null;
    const resolved = await this.step(parent, baseOf(rel), create, entry, { links: 0 });
    if (resolved !== null) this.dirs.set(rel, resolved);
    return resolved;
  }

  /**
   * Resolves where entry `rel` lands: its parent is resolved (and created when `create`), its last
   * component is not followed, so the entry itself may be a symlink that gets replaced. Returns null
   * when the parent is missing and `create` is false. `rel` must not be "" (the root).
   */
  async resolveEntry(rel: string, create: boolean, entry: string): Promise<ResolvedEntry | null> {
    const parent = await this.resolveDir(parentOf(rel), create, entry);
    if (parent === null) return null;
    const name = baseOf(rel);
    const resolved = parent === "" ? name : parent + "/" + name;
    return { rel: resolved, host: this.host(resolved) };
  }

  /** Walks `parts` from resolved directory `base`, in root, following symlinks. */
  private async walk(
    base: string,
    parts: string[],
    create: boolean,
    entry: string,
    budget: { links: number },
  ): Promise<string | null> {
    let cur: string | null = base;
    for (const part of parts) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        cur = parentOf(cur);
        continue;
      }
      cur = await this.step(cur, part, create, entry, budget);
      if (cur === null) return null;
    }
    return cur;
  }

  /**
   * One component: `name` inside resolved directory `parent`. A directory is entered, a symlink is
   * read and walked from the root (absolute target) or from `parent` (relative target), a missing
   * name is created as a directory or ends the walk, anything else is not a directory.
   */
  private async step(
    parent: string,
    name: string,
    create: boolean,
    entry: string,
    budget: { links: number },
  ): Promise<string | null> {
    const rel = parent === "" ? name : parent + "/" + name;
    const host = this.host(rel);
    let st: Stats;
    try {
      st = await fsp.lstat(host);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw ioError("resolve parent directory of", entry, err);
      if (!create) return null;
      try {
        await fsp.mkdir(host, 0o755);
      } catch (mkErr) {
        if (!isErrno(mkErr, "EEXIST")) throw ioError("create parent directory of", entry, mkErr);
        return this.step(parent, name, create, entry, budget);
      }
      return rel;
    }
    if (st.isDirectory()) return rel;
    if (st.isSymbolicLink()) {
      if (++budget.links > MAX_SYMLINKS) {
        throw new UnpackError(
          "UNPACK_SYMLINK_LOOP",
          `resolve ${entry}: too many levels of symbolic links at ${rel}`,
          entry,
        );
      }
      let target: string;
      try {
        target = await fsp.readlink(host);
      } catch (err) {
        throw ioError("read symlink in path of", entry, err);
      }
      return this.walk(path.posix.isAbsolute(target) ? "" : parent, target.split("/"), create, entry, budget);
    }
    throw new UnpackError("UNPACK_NOT_A_DIRECTORY", `resolve ${entry}: ${rel} is not a directory`, entry);
  }
}

/** True when `err` is a Node system error with the given errno code. */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeJS.ErrnoException).code === code;
}
