/**
 * overlayfs's on-disk rules, in one place for everything that writes or reads layer directories
 * (unpack, the merged view COPY reads, the upper-dir diff RUN produces):
 * - a whiteout is a character device 0/0: it hides the name in lower layers;
 * - an opaque directory carries `<prefix>opaque=y`: it hides everything below it in lower layers;
 * - the prefix is `trusted.overlay.` for a mount made by real root, `user.overlay.` for one made
 *   inside a user namespace (the `userxattr` mount option, Linux ≥ 5.11), and a mount honours
 *   only its own; so tsbuild uses exactly one of them per process, the one its mounts use;
 * - attributes under either prefix are overlay bookkeeping, never file content: a layer never
 *   carries them and unpacking never restores them from a tar.
 */
import * as fs from "node:fs";
import { getXattr, listXattrs } from "./xattrs";

export type OverlayXattrPrefix = "trusted.overlay." | "user.overlay.";

const PREFIXES: readonly OverlayXattrPrefix[] = ["trusted.overlay.", "user.overlay."];

let inUserNs: boolean | undefined;

/**
 * True when this process runs in a user namespace other than the initial one (rootless): its
 * uid_map is not the identity over the whole 32-bit range.
 */
export function inUserNamespace(): boolean {
  if (inUserNs === undefined) {
    try {
      const map = fs.readFileSync("/proc/self/uid_map", "utf8").trim().split(/\s+/);
      inUserNs = !(map.length === 3 && map[0] === "0" && map[1] === "0" && map[2] === "4294967295");
    } catch {
      inUserNs = false;
    }
  }
  return inUserNs;
}

/** The prefix this process's overlay mounts use. */
export function overlayXattrPrefix(): OverlayXattrPrefix {
  return inUserNamespace() ? "user.overlay." : "trusted.overlay.";
}

/** The opaque-directory attribute this process's overlay mounts honour. */
export function opaqueXattr(): string {
  return `${overlayXattrPrefix()}opaque`;
}

/** A whiteout: a character device 0/0. */
export function isWhiteout(st: Pick<fs.Stats, "isCharacterDevice" | "rdev">): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** Whether the directory `host` is opaque to this process's overlay mounts. */
export function isOpaqueDir(host: string): boolean {
  return getXattr(host, opaqueXattr())?.toString() === "y";
}

/** Whether `name` is overlayfs bookkeeping (under either prefix), never content. */
export function isOverlayXattr(name: string): boolean {
  return PREFIXES.some((p) => name.startsWith(p));
}

/**
 * The xattrs of `host` itself that are content (user.*, security.capability, …), overlayfs's own
 * bookkeeping left out; undefined when there are none. What a layer carries as SCHILY.xattr.
 */
export function contentXattrs(host: string): Record<string, Buffer> | undefined {
  let out: Record<string, Buffer> | undefined;
  for (const name of listXattrs(host)) {
    if (isOverlayXattr(name)) continue;
    const value = getXattr(host, name);
    if (value !== undefined) (out ??= {})[name] = value;
  }
  return out;
}
