/**
 * The one "follow symlinks but stay inside the root" resolver of tsbuild, with the semantics of
 * filepath-securejoin / openat2(RESOLVE_IN_ROOT): a path is walked component by component; a
 * symlink met on the way is read and walked *as if the root were /* (an absolute target restarts
 * at the root, ".." stops at the root), so no link, however chained, leads outside. Every tree
 * tsbuild resolves paths in goes through it: unpack targets, merged layer views (COPY --from, RUN
 * setup, USER lookup), RUN bind mounts, and the build context.
 *
 * The walk is over a `ResolveTree`, which answers for clean root-relative paths whose parents the
 * resolver has already found to be real directories, so a tree never has to follow anything itself.
 */
import { RootfsError } from "./errors";

/** Like Linux's MAXSYMLINKS: more links than this on one resolution is a loop. */
export const MAX_SYMLINKS = 40;

export type NodeKind = "directory" | "symlink" | "other";

export interface ResolveTree {
  /** What is at `rel` (never followed), or undefined when nothing is. */
  kind(rel: string): NodeKind | undefined;
  /** The target of the symlink at `rel`. */
  readlink(rel: string): string;
}

export interface ResolveOptions {
  /** Follow a symlink in the last component too. Default true. */
  followFinal?: boolean;
  /**
   * Called for a missing component that must be a directory (every component when `createFinal`,
   * else all but the last); returns true once it created one there. Without it, a missing
   * component is kept as a plain name (securejoin does the same) and the walk goes on.
   */
  create?: (rel: string) => boolean;
  /** Create a missing last component too (resolving a directory to make). Default false. */
  createFinal?: boolean;
  /**
   * "clamp" (default): ".." at the root stays at the root, as in a chroot. "refuse": it is a
   * ROOTFS_PATH_ESCAPE error — for the build context, where a source outside it is a mistake.
   */
  escape?: "clamp" | "refuse";
  /**
   * Turns an absolute link target into a root-relative path. Default: the target is read relative
   * to the root (a container's "/"). The build context stores host paths in its links and maps
   * them back (or refuses them).
   */
  absoluteTarget?: (target: string, link: string) => string;
}

export interface Resolved {
  /** Clean root-relative path ("" is the root), missing components kept as written. */
  path: string;
  /** What is at `path`, undefined when it does not exist. */
  kind: NodeKind | undefined;
  /** Set when a component that had to be a directory is something else: that component's path. */
  notDirectory?: string;
}

/** Resolves `p` (absolute or root-relative, same meaning) in `tree`. */
export function resolveInRoot(tree: ResolveTree, p: string, options: ResolveOptions = {}): Resolved {
  const followFinal = options.followFinal ?? true;
  const pending = p.split("/").reverse(); // a stack: pop() is the next component
  const done: string[] = [];
  let kind: NodeKind | undefined = "directory";
  let links = 0;
  const up = (): void => {
    if (done.length === 0) {
      if (options.escape === "refuse") {
        throw new RootfsError("ROOTFS_PATH_ESCAPE", `resolve ${p}: the path leads outside its root`, p);
      }
      return;
    }
    done.pop();
  };
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (name === "" || name === ".") continue;
    if (name === "..") {
      up();
      kind = "directory";
      continue;
    }
    const rel = done.length === 0 ? name : `${done.join("/")}/${name}`;
    const last = !pending.some((x) => x !== "" && x !== ".");
    let found = tree.kind(rel);
    if (found === undefined && options.create !== undefined && (!last || options.createFinal === true)) {
      found = options.create(rel) ? "directory" : tree.kind(rel);
    }
    if (found === undefined) {
      // Like securejoin: a missing component is kept as a plain name and the walk goes on (a
      // later ".." may lead back to entries that exist).
      done.push(name);
      kind = undefined;
      continue;
    }
    if (found === "symlink" && (!last || followFinal)) {
      if (++links > MAX_SYMLINKS) {
        throw new RootfsError(
          "ROOTFS_SYMLINK_LOOP",
          `resolve ${p}: too many levels of symbolic links (more than ${MAX_SYMLINKS}) at /${rel}`,
          p,
        );
      }
      let target = tree.readlink(rel);
      if (target.startsWith("/")) {
        target = options.absoluteTarget ? options.absoluteTarget(target, rel) : target;
        done.length = 0;
      }
      pending.push(...target.split("/").reverse());
      kind = "directory";
      continue;
    }
    done.push(name);
    kind = found;
    if (!last && found !== "directory") {
      return { path: done.join("/"), kind: found, notDirectory: done.join("/") };
    }
  }
  return { path: done.join("/"), kind };
}
