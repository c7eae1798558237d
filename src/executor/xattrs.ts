import { getAttributeSync, listAttributesSync } from "@napi-rs/xattr";

/**
 * Extended attributes of a path itself (never following a symlink: @napi-rs/xattr uses the
 * l*xattr calls). Node has no xattr API; this addon ships prebuilt in the npm registry package.
 */

/** overlayfs keeps its bookkeeping (opaque, origin, impure, ...) under this prefix. */
const OVERLAY_PREFIX = "trusted.overlay.";

/** All xattrs except overlayfs's own; undefined when there are none. */
export function readContentXattrs(path: string): Record<string, Buffer> | undefined {
  let out: Record<string, Buffer> | undefined;
  for (const name of listAttributesSync(path)) {
    if (name.startsWith(OVERLAY_PREFIX)) continue;
    const value = getAttributeSync(path, name);
    if (value === null) continue;
    (out ??= {})[name] = value;
  }
  return out;
}

/** True if overlayfs marked this directory opaque (it hides everything below it in lower layers). */
export function isOpaqueDir(path: string): boolean {
  const value = getAttributeSync(path, `${OVERLAY_PREFIX}opaque`);
  return value !== null && value.toString() === "y";
}
