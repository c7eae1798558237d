import { readFile } from "node:fs/promises";
import type { BlobStore } from "./blob-store";
import { isDigest } from "./digest";
import { isRecord } from "../guards";

/**
 * Blobs reachable from a set of root digests: an OCI/Docker manifest references its config and
 * layers, an index references its manifests. Blobs that are missing, too large to be a manifest,
 * or not manifest JSON have no references (so a corrupt manifest cannot keep garbage alive, and a
 * layer is never parsed).
 */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export async function reachableBlobs(blobs: BlobStore, roots: Iterable<string>): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [...roots].filter(isDigest);
  for (let digest = queue.pop(); digest !== undefined; digest = queue.pop()) {
    if (seen.has(digest)) continue;
    seen.add(digest);
    for (const ref of await manifestReferences(blobs, digest)) if (!seen.has(ref)) queue.push(ref);
  }
  return seen;
}

/** The digests a manifest or index blob references; [] when it is not one. */
export async function manifestReferences(blobs: BlobStore, digest: string): Promise<string[]> {
  const info = await blobs.stat(digest);
  if (!info || info.size > MAX_MANIFEST_BYTES) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(blobs.path(digest), "utf8"));
  } catch {
    return [];
  }
  if (!isRecord(parsed)) return [];
  const m = parsed;
  const refs: string[] = [];
  const add = (d: unknown): void => {
    if (isRecord(d) && isDigest(d.digest)) refs.push(d.digest);
  };
  add(m.config);
  for (const list of [m.layers, m.manifests]) if (Array.isArray(list)) list.forEach(add);
  return refs;
}
