import * as fs from "node:fs";
import { Readable } from "node:stream";
import { CacheStore } from "../../../src/cache/cache-store";
import { makeTempDir } from "./tmp-cache";

export type TempDir = ReturnType<typeof makeTempDir>;

/**
 * A CacheStore opened in a fresh temp dir, for a beforeEach; the caller removes it with
 * tmp.cleanup(). If the store does not open, the dir is removed before the error is thrown.
 */
export async function openTempStore(): Promise<{ tmp: TempDir; store: CacheStore }> {
  const tmp = makeTempDir();
  try {
    return { tmp, store: await CacheStore.open(tmp.dir) };
  } catch (err) {
    tmp.cleanup();
    throw err;
  }
}

/** The prune tests' clock: prune() is given `now: NOW`, ages are counted back from it. */
export const HOUR = 3_600_000;
export const NOW = Date.parse("2025-06-01T12:00:00Z");

/** Sets file's atime and mtime to ms before NOW. */
export function setAge(file: string, ms: number): void {
  const t = new Date(NOW - ms);
  fs.utimesSync(file, t, t);
}

/** Puts content into the store's blobs and ages the blob file ageMs before NOW. */
export async function putAgedBlob(
  store: CacheStore,
  content: string | Buffer,
  ageMs = 10 * HOUR,
): Promise<{ digest: string; size: number }> {
  const b = await store.blobs.put(Readable.from([Buffer.from(content)]));
  setAge(store.blobs.path(b.digest), ageMs);
  return b;
}
