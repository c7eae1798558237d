/**
 * The one adapter to extended attributes. Node has no xattr API; @napi-rs/xattr ships prebuilt
 * binaries in its npm package and uses the l*xattr calls, so a final symlink is never followed.
 * When the binding is missing for this platform, reads see no attributes and writes fail.
 */
import type * as XattrModule from "@napi-rs/xattr";

type Binding = typeof XattrModule;

let binding: Binding | null | undefined;

/**
 * The glibc build's own package first: @napi-rs/xattr's index.js finds the same binary only after
 * telling glibc from musl by reading /usr/bin/ldd and package.json files (~1.5 ms of a rebuild).
 * Where that package is absent (musl, another platform) or fails to load, the index decides.
 */
function load(): Binding | null {
  if (binding === undefined) {
    binding = null;
    for (const name of [`@napi-rs/xattr-${process.platform}-${process.arch}-gnu`, "@napi-rs/xattr"]) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        binding = require(name) as Binding;
        break;
      } catch {
        // next candidate
      }
    }
  }
  return binding;
}

/** An attribute of `host` itself, or undefined when unset, unsupported by the filesystem or unavailable. */
export function getXattr(host: string, name: string): Buffer | undefined {
  const b = load();
  if (b === null) return undefined;
  try {
    return b.getAttributeSync(host, name) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Names of the attributes of `host` itself ([] when none or unsupported). */
export function listXattrs(host: string): string[] {
  const b = load();
  if (b === null) return [];
  try {
    return b.listAttributesSync(host);
  } catch {
    return [];
  }
}

/** Sets an attribute on `host` itself. Throws when the binding is missing or the call fails. */
export async function setXattr(host: string, name: string, value: Buffer): Promise<void> {
  const b = load();
  if (b === null) throw new Error("no xattr support on this platform (@napi-rs/xattr binding missing)");
  await b.setAttribute(host, name, value);
}

/** setXattr, synchronously (for walks that must see the final ctime of what they set). */
export function setXattrSync(host: string, name: string, value: Buffer): void {
  const b = load();
  if (b === null) throw new Error("no xattr support on this platform (@napi-rs/xattr binding missing)");
  b.setAttributeSync(host, name, value);
}
