import type { CacheStore } from "./cache-store";
import { reachableBlobs } from "./manifest-refs";

/** What `tsbuild du` / `system df` prints. */
export interface DiskUsage {
  blobs: { count: number; bytes: number };
  /** Number of step records. */
  records: number;
  /** Number of tags. */
  images: number;
  /** Blobs reachable from a tag (kept by every prune). */
  imageBlobs: { count: number; bytes: number };
  /** Blobs referenced by a step record but by no tagged image. */
  cacheOnlyBlobs: { count: number; bytes: number };
  /** Blobs nothing references: what a plain `prune` frees. */
  unreferencedBlobs: { count: number; bytes: number };
  /** In-flight or crashed writers' temp files. */
  temp: { count: number; bytes: number };
  /** blobs.bytes + temp.bytes. */
  totalBytes: number;
}

export async function diskUsage(store: CacheStore): Promise<DiskUsage> {
  const [blobs, records, images, temps] = await Promise.all([
    store.blobs.list(),
    store.records.list(),
    store.images.list(),
    store.blobs.listTemps(),
  ]);
  const fromImages = await reachableBlobs(
    store.blobs,
    images.map((i) => i.manifestDigest),
  );
  const fromRecords = new Set(records.flatMap((r) => (r.record.layer ? [r.record.layer.digest] : [])));
  const sum = (list: Array<{ size: number }>): { count: number; bytes: number } => ({
    count: list.length,
    bytes: list.reduce((n, b) => n + b.size, 0),
  });
  const total = sum(blobs);
  const tmp = sum(temps);
  return {
    blobs: total,
    records: records.length,
    images: images.length,
    imageBlobs: sum(blobs.filter((b) => fromImages.has(b.digest))),
    cacheOnlyBlobs: sum(blobs.filter((b) => !fromImages.has(b.digest) && fromRecords.has(b.digest))),
    unreferencedBlobs: sum(blobs.filter((b) => !fromImages.has(b.digest) && !fromRecords.has(b.digest))),
    temp: tmp,
    totalBytes: total.bytes + tmp.bytes,
  };
}
