import * as fs from "node:fs";
import * as path from "node:path";
import { ExecutorError } from "./errors";
import { isOpaqueDir } from "./xattrs";

/** A path as overlayfs would show it, and the layer directory that provides it. */
export interface RootfsEntry {
  stats: fs.Stats;
  /** Index into `layers` (0 = top-most). */
  layer: number;
  /** The host path of the entry inside that layer; every ancestor there is a real directory. */
  hostPath: string;
}

export interface ResolvedPath {
  /** Clean relative path with every symlink resolved inside the root ("" is the root). */
  path: string;
  /** The entry, when it exists. */
  entry?: RootfsEntry;
}

const MAX_SYMLINK_HOPS = 40;

/** overlayfs whiteout: a character device 0/0. */
export function isWhiteout(stats: fs.Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

/**
 * A read-only merged view of overlay layer directories, computed on the host without mounting:
 * the same lookup rules as overlayfs (whiteouts, opaque directories, upper non-directories hiding
 * lower ones). The executor uses it to resolve mount targets, the working directory and
 * /etc/passwd *inside* the root before the sandbox starts, so a symlink in an image can never
 * send a mount or a mkdir to a host path.
 */
export class LayeredRootfs {
  /** @param layers layer directories, top-most first */
  constructor(readonly layers: readonly string[]) {}

  /** The entry at a clean relative path, without following a final symlink. */
  lookup(relPath: string): RootfsEntry | undefined {
    const parts = relPath === "" ? [] : relPath.split("/");
    let active = this.layers.map((_, i) => i);
    let dir = "";
    let found: RootfsEntry | undefined = this.rootEntry();
    for (const name of parts) {
      if (found === undefined || !found.stats.isDirectory()) return undefined;
      found = undefined;
      const merged: number[] = [];
      for (const layer of active) {
        const hostPath = path.join(this.layers[layer], dir, name);
        const stats = lstatOrUndefined(hostPath);
        if (stats === undefined) continue;
        if (isWhiteout(stats)) break;
        if (found === undefined) {
          found = { stats, layer, hostPath };
          if (!stats.isDirectory()) break;
        } else if (!stats.isDirectory()) {
          break;
        }
        merged.push(layer);
        if (isOpaqueDir(hostPath)) break;
      }
      active = merged;
      dir = dir === "" ? name : `${dir}/${name}`;
    }
    return found;
  }

  /**
   * Resolves `target` (absolute or relative to the root) like a chroot would: ".." stops at the
   * root, absolute symlinks restart from the root. Missing components are kept as written.
   */
  resolve(target: string, followFinal = true): ResolvedPath {
    let remaining = splitPath(target);
    let resolved: string[] = [];
    let hops = 0;
    while (remaining.length > 0) {
      const name = remaining.shift() as string;
      if (name === "..") {
        resolved.pop();
        continue;
      }
      const candidate = [...resolved, name];
      const entry = this.lookup(candidate.join("/"));
      if (entry?.stats.isSymbolicLink() && (remaining.length > 0 || followFinal)) {
        if (++hops > MAX_SYMLINK_HOPS) {
          throw new ExecutorError(
            "EXECUTOR_SYMLINK_LOOP",
            `resolve ${target} in the rootfs: more than ${MAX_SYMLINK_HOPS} symlinks`,
          );
        }
        const link = fs.readlinkSync(entry.hostPath);
        if (link.startsWith("/")) resolved = [];
        remaining = [...splitPath(link), ...remaining];
        continue;
      }
      resolved = candidate;
    }
    const relPath = resolved.join("/");
    return { path: relPath, entry: this.lookup(relPath) };
  }

  /** Contents of a regular file (symlinks followed inside the root); undefined if absent. */
  readFile(target: string): Buffer | undefined {
    const { entry } = this.resolve(target);
    if (entry === undefined || !entry.stats.isFile()) return undefined;
    return fs.readFileSync(entry.hostPath);
  }

  private rootEntry(): RootfsEntry | undefined {
    for (let layer = 0; layer < this.layers.length; layer++) {
      const stats = lstatOrUndefined(this.layers[layer]);
      if (stats?.isDirectory()) return { stats, layer, hostPath: this.layers[layer] };
    }
    return undefined;
  }
}

function splitPath(p: string): string[] {
  return p.split("/").filter((part) => part !== "" && part !== ".");
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new ExecutorError("EXECUTOR_LSTAT", `lstat ${p}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
