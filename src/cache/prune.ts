import { oldestLiveSession } from "./build-sessions";
import type { CacheStore } from "./cache-store";
import { reachableBlobs } from "./manifest-refs";
import type { StepRecord } from "./step-record";
import { STALE_TEMP_AGE_MS, cleanStaleTemps } from "./temp-files";

export interface PruneOptions {
  /** Consider every step record for removal (`prune --all`). */
  all?: boolean;
  /** Stop removing once the blobs take at most this many bytes (`--keep-storage 5GB`). */
  keepStorage?: number;
  /** Only remove records not used for this many ms (`--filter until=24h`). */
  until?: number;
  /** Clock for tests. */
  now?: number;
}

export interface PruneResult {
  recordsRemoved: number;
  blobsRemoved: number;
  bytesFreed: number;
  tempFilesRemoved: number;
}

/**
 * Garbage-collects the cache, holding the store lock throughout.
 *
 * Policy, in order:
 * 1. Always: records that are malformed or whose layer blob is gone; temp files older than an hour.
 * 2. Unreferenced blobs — referenced neither by a record nor reachable from a tagged image through
 *    manifest → config/layers (index → manifests); an unparsable manifest references nothing —
 *    oldest first, then biggest.
 * 3. Records: with `all` or `keepStorage`, every record; with `until`, only records unused for that
 *    long (both given: the intersection). Least recently used first, biggest layer first among
 *    equals; a record's blob goes with it once nothing else references it.
 * With `keepStorage`, steps 2-3 stop as soon as the blobs fit in it. Without any option, only
 * steps 1-2 run. Tagged images are never touched (that is `rmi`'s job).
 *
 * Running builds: anything a live build session may still need — records used and blobs written
 * or hit since the oldest live session started — is kept whatever the options.
 */
export async function prune(store: CacheStore, options: PruneOptions = {}): Promise<PruneResult> {
  return store.lock.withLock(async () => {
    const now = options.now ?? Date.now();
    const protectFrom = (await oldestLiveSession(store.sessionsDir)) ?? Number.POSITIVE_INFINITY;
    const result: PruneResult = { recordsRemoved: 0, blobsRemoved: 0, bytesFreed: 0, tempFilesRemoved: 0 };
    result.tempFilesRemoved = await cleanStaleTemps(store.blobs.dir, STALE_TEMP_AGE_MS, now);

    // Records first: blobs written after this listing cannot have records yet (records are
    // written under the lock we hold), so they are simply not seen and not deleted.
    const records: StepRecord[] = [];
    for (const { file, record } of await store.records.list()) {
      if (record.layer && !(await store.blobs.has(record.layer.digest))) {
        if (await store.records.deleteFile(file)) result.recordsRemoved++;
      } else {
        records.push(record);
      }
    }
    const blobs = await store.blobs.list();
    const sizes = new Map(blobs.map((b) => [b.digest, b.size]));
    const images = await store.images.list();
    const keptByImages = await reachableBlobs(
      store.blobs,
      images.map((i) => i.manifestDigest),
    );
    const refs = new Map<string, number>();
    for (const r of records) if (r.layer) refs.set(r.layer.digest, (refs.get(r.layer.digest) ?? 0) + 1);

    let usage = blobs.reduce((n, b) => n + b.size, 0);
    const fits = (): boolean => options.keepStorage !== undefined && usage <= options.keepStorage;
    const removeIfUnreferenced = async (digest: string, mtimeMs: number): Promise<void> => {
      if ((refs.get(digest) ?? 0) > 0 || keptByImages.has(digest) || mtimeMs >= protectFrom) return;
      if (await store.blobs.delete(digest)) {
        const size = sizes.get(digest) ?? 0;
        usage -= size;
        result.blobsRemoved++;
        result.bytesFreed += size;
      }
    };

    const garbage = blobs
      .filter((b) => (refs.get(b.digest) ?? 0) === 0 && !keptByImages.has(b.digest))
      .sort((a, b) => a.mtimeMs - b.mtimeMs || b.size - a.size);
    for (const blob of garbage) {
      if (fits()) return result;
      await removeIfUnreferenced(blob.digest, blob.mtimeMs);
    }

    const consider = options.all === true || options.keepStorage !== undefined || options.until !== undefined;
    if (!consider) return result;
    const lastUsed = (r: StepRecord): number => Date.parse(r.lastUsedAt);
    const candidates = records
      .filter((r) => lastUsed(r) < protectFrom)
      .filter((r) => options.until === undefined || lastUsed(r) < now - options.until)
      .sort((a, b) => lastUsed(a) - lastUsed(b) || (b.layer?.size ?? 0) - (a.layer?.size ?? 0));
    const mtimes = new Map(blobs.map((b) => [b.digest, b.mtimeMs]));
    for (const record of candidates) {
      if (fits()) return result;
      if (await store.records.delete(record.key)) result.recordsRemoved++;
      if (!record.layer) continue;
      const digest = record.layer.digest;
      refs.set(digest, (refs.get(digest) ?? 1) - 1);
      await removeIfUnreferenced(digest, mtimes.get(digest) ?? now);
    }
    return result;
  });
}
