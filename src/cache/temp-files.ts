import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { isErrno } from "./errors";

/**
 * Temporary files live next to their destination (same filesystem, so rename is atomic) and carry
 * a prefix no real entry can have: blobs are 64 hex characters and records end in ".json", so a
 * ".tmp-" file is never mistaken for either.
 */
export const TEMP_PREFIX = ".tmp-";

/** Default age after which a temp file is assumed to belong to a crashed writer. */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/** A fresh temp path inside `dir` whose name records the writer's pid (for debugging crashes). */
export function tempPath(dir: string): string {
  return path.join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString("hex")}`);
}

export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/**
 * Removes temp files in `dir` older than `maxAgeMs` (by mtime, which a live writer keeps advancing
 * as it writes). Returns how many were removed. A missing dir is fine.
 */
export async function cleanStaleTemps(dir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!isTempName(name)) continue;
    const file = path.join(dir, name);
    try {
      const st = await fsp.stat(file);
      if (now - st.mtimeMs >= maxAgeMs) {
        await fsp.rm(file, { force: true });
        removed++;
      }
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
  return removed;
}
