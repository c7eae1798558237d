/**
 * Tar entry names → clean root-relative paths. Absolute names are contained ("/etc/x" → "etc/x",
 * as containerd and umoci do); names that climb above the root with ".." are refused, as Docker
 * and GNU tar do.
 */
import { UnpackError } from "./unpack/errors";

/** Linux limits: bytes in one path component, bytes in a whole path. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

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

/** `dir/name`, or `name` in the root. */
export function joinRel(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}
