interface XattrBinding {
  getAttributeSync(path: string, name: string): Buffer | null;
}

let binding: XattrBinding | null | undefined;

/**
 * An extended attribute of `host` (a directory: no symlink question arises), or undefined when it
 * is not set, the file system has no xattrs, or the @napi-rs/xattr binding is missing for this
 * platform (then no directory reads as opaque, which only matters for overlay-style layer dirs).
 */
export function getXattrSync(host: string, name: string): Buffer | undefined {
  if (binding === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      binding = require("@napi-rs/xattr") as XattrBinding;
    } catch {
      binding = null;
    }
  }
  if (binding === null) return undefined;
  try {
    return binding.getAttributeSync(host, name) ?? undefined;
  } catch {
    return undefined;
  }
}
