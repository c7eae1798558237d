import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { oldestLiveSession } from "./build-sessions";
import type { CacheStore } from "./cache-store";
import { isOrphaned } from "./disk-usage";
import type { LayerDirEntry } from "./layer-dirs";
import { listDir } from "./errors";
import { reachableBlobs } from "./manifest-refs";
import type { StepRecord } from "./step-record";
import type { CompressedVariant } from "./compressed-blobs";
import { STALE_TEMP_AGE_MS, isTempName } from "./temp-files";

export interface PruneOptions {
  /** Consider every step record, unpacked layer and cache mount for removal (`prune --all`). */
  all?: boolean;
  /** Stop removing once the cache takes at most this many bytes (`--keep-storage 5GB`). */
  keepStorage?: number;
  /** Only remove what was not used for this many ms (`--filter until=24h`). */
  until?: number;
  /** Clock for tests. */
  now?: number;
}

export interface PruneResult {
  recordsRemoved: number;
  blobsRemoved: number;
  /** Unpacked base layers removed. */
  layersRemoved: number;
  /** `RUN --mount=type=cache` directories removed. */
  mountsRemoved: number;
  /** Compressed-layer entries (`compressed/`) removed; their blobs count in blobsRemoved. */
  compressedRemoved: number;
  /** Dead writers' temp files and build scratch directories removed. */
  tempFilesRemoved: number;
  bytesFreed: number;
}

/**
 * Something touched this shortly before prune started still counts as in use: a build may have
 * begun after prune read the sessions, and file times come from a coarse clock.
 */
const IN_USE_SLACK_MS = 1000;

/**
 * Garbage-collects the cache, holding the store lock throughout.
 *
 * Policy, in order:
 * 1. Always: dead writers' temp files and dead builds' scratch dirs (ownerless temps of older
 *    versions once older than an hour); records that are malformed or whose layer blob is gone.
 * 2. Unreferenced blobs — referenced neither by a record nor reachable from a tagged image through
 *    manifest → config/layers (index → manifests); an unparsable manifest references nothing —
 *    oldest first, then biggest.
 * 3. Unpacked layers (derived data, re-unpacked on demand): always those whose blob is gone;
 *    with `all`, `keepStorage` or `until`, any other not used since (least recently used first).
 *    Compressed layers made on export (derived too, re-made on demand) likewise: always those
 *    whose source blob or own blob is gone (a live entry keeps its blob), with those options any
 *    other not used since, with its blob once nothing else references it.
 * 4. Records: with `all` or `keepStorage`, every record; with `until`, only records unused for that
 *    long (both given: the intersection). Least recently used first, biggest layer first among
 *    equals; a record's blob goes with it once nothing else references it.
 * 5. Cache mounts: only with `all` (with `until`, only those unchanged that long), and never
 *    while a build is running (which of them a running RUN has mounted is not recorded).
 * 6. Last: verified stamps of blobs that are gone; with `all`, context stat caches and step history.
 * With `keepStorage`, steps 2-5 stop as soon as blobs, unpacked layers and cache mounts together
 * fit in it. Without any option, only steps 1-3 (orphaned layers) and 6 run. Tagged images are
 * never touched (that is `rmi`'s job).
 *
 * Running builds: anything a live build session may still need — records used, blobs written or
 * hit and unpacked layers used since the oldest live session started — is kept whatever the
 * options, and so is anything used since this prune started.
 */
export async function prune(store: CacheStore, options: PruneOptions = {}): Promise<PruneResult> {
  return store.lock.withLock(async () => {
    const now = options.now ?? Date.now();
    const live = await oldestLiveSession(store.sessionsDir);
    const protectFrom = live ?? Number.POSITIVE_INFINITY;
    const inUseSince = Math.min(protectFrom, Date.now() - IN_USE_SLACK_MS);
    const result: PruneResult = {
      recordsRemoved: 0,
      blobsRemoved: 0,
      layersRemoved: 0,
      mountsRemoved: 0,
      compressedRemoved: 0,
      tempFilesRemoved: 0,
      bytesFreed: 0,
    };
    const swept = await store.sweep({ maxAgeMs: STALE_TEMP_AGE_MS, now });
    result.tempFilesRemoved = swept.count;
    result.bytesFreed += swept.bytes;

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
    const stored = new Set(sizes.keys());
    const images = await store.images.list();
    const keptByImages = await reachableBlobs(
      store.blobs,
      images.map((i) => i.manifestDigest),
    );
    const refs = new Map<string, number>();
    for (const r of records) if (r.layer) refs.set(r.layer.digest, (refs.get(r.layer.digest) ?? 0) + 1);
    // Compressed variants: a live entry (source and blob stored) references its blob like a record.
    const variants: Array<{ file: string; mtimeMs: number; bytes: number; variant: CompressedVariant }> = [];
    for (const entry of await store.compressed.list()) {
      const v = entry.variant;
      if (v && stored.has(v.source) && stored.has(v.digest)) {
        variants.push({ ...entry, variant: v });
        refs.set(v.digest, (refs.get(v.digest) ?? 0) + 1);
      } else if (await store.compressed.deleteFile(entry.file)) {
        result.compressedRemoved++;
        result.bytesFreed += entry.bytes;
      }
    }

    const layers = await Promise.all(
      (await store.layers.list()).map(async (entry) => ({
        entry,
        bytes: await store.layers.bytes(entry),
        removed: false,
      })),
    );
    const mounts = await Promise.all(
      (await store.mounts.list()).map(async (entry) => ({ entry, bytes: await store.mounts.bytes(entry) })),
    );
    let usage =
      blobs.reduce((n, b) => n + b.size, 0) +
      layers.reduce((n, l) => n + l.bytes, 0) +
      mounts.reduce((n, m) => n + m.bytes, 0);
    const budget = options.keepStorage;
    const fits = (): boolean => budget !== undefined && usage <= budget;
    const freed = (bytes: number): void => {
      usage -= bytes;
      result.bytesFreed += bytes;
    };
    const consider = options.all === true || budget !== undefined || options.until !== undefined;
    const unusedFor = (lastUsedMs: number): boolean =>
      options.until === undefined || lastUsedMs < now - options.until;

    const removeIfUnreferenced = async (digest: string, mtimeMs: number): Promise<void> => {
      if ((refs.get(digest) ?? 0) > 0 || keptByImages.has(digest) || mtimeMs >= protectFrom) return;
      if (await store.blobs.delete(digest)) {
        stored.delete(digest);
        result.blobsRemoved++;
        freed(sizes.get(digest) ?? 0);
      }
    };
    /** Unpacked layers not in use that `which` selects, least recently used first. */
    const removeLayers = async (which: (entry: LayerDirEntry) => boolean): Promise<void> => {
      for (const layer of layers) {
        if (fits()) return;
        if (layer.removed || layer.entry.lastUsedMs >= inUseSince || !which(layer.entry)) continue;
        await store.layers.remove(layer.entry);
        layer.removed = true;
        result.layersRemoved++;
        freed(layer.bytes);
      }
    };
    layers.sort((a, b) => a.entry.lastUsedMs - b.entry.lastUsedMs || b.bytes - a.bytes);
    const orphanedLayers = (): Promise<void> => removeLayers((entry) => isOrphaned(entry, stored));
    /** Compressed variants `which` selects (not in use), least recently used first, then their blobs. */
    const removeVariants = async (
      which: (v: (typeof variants)[number]) => boolean,
      untilFits: boolean,
    ): Promise<void> => {
      for (const v of variants) {
        if (untilFits && fits()) return;
        if (v.file === "" || !which(v)) continue;
        if (await store.compressed.deleteFile(v.file)) {
          result.compressedRemoved++;
          freed(v.bytes);
        }
        v.file = "";
        const digest = v.variant.digest;
        refs.set(digest, (refs.get(digest) ?? 1) - 1);
        await removeIfUnreferenced(digest, mtimesOf.get(digest) ?? now);
      }
    };
    variants.sort((a, b) => a.mtimeMs - b.mtimeMs || b.variant.size - a.variant.size);
    const mtimesOf = new Map(blobs.map((b) => [b.digest, b.mtimeMs]));
    const orphanedVariants = (): Promise<void> => removeVariants((v) => !stored.has(v.variant.source), false);

    // 2. Garbage blobs; 3. the layers they (or earlier prunes) orphaned, then unused ones.
    const garbage = blobs
      .filter((b) => (refs.get(b.digest) ?? 0) === 0 && !keptByImages.has(b.digest))
      .sort((a, b) => a.mtimeMs - b.mtimeMs || b.size - a.size);
    for (const blob of garbage) {
      if (fits()) break;
      await removeIfUnreferenced(blob.digest, blob.mtimeMs);
    }
    await orphanedVariants();
    await orphanedLayers();
    if (consider) await removeLayers((entry) => unusedFor(entry.lastUsedMs));
    if (consider && !fits())
      await removeVariants((v) => v.mtimeMs < inUseSince && unusedFor(v.mtimeMs), true);

    // 4. Records, least recently used first, with their blobs once unreferenced.
    if (consider && !fits()) {
      const lastUsed = (r: StepRecord): number => Date.parse(r.lastUsedAt);
      const candidates = records
        .filter((r) => lastUsed(r) < protectFrom && unusedFor(lastUsed(r)))
        .sort((a, b) => lastUsed(a) - lastUsed(b) || (b.layer?.size ?? 0) - (a.layer?.size ?? 0));
      const mtimes = new Map(blobs.map((b) => [b.digest, b.mtimeMs]));
      for (const record of candidates) {
        if (fits()) break;
        if (await store.records.delete(record.key)) result.recordsRemoved++;
        if (!record.layer) continue;
        const digest = record.layer.digest;
        refs.set(digest, (refs.get(digest) ?? 1) - 1);
        await removeIfUnreferenced(digest, mtimes.get(digest) ?? now);
      }
      await orphanedVariants();
      await orphanedLayers();
    }

    // 5. Cache mounts, only with --all and only while no build runs.
    if (options.all === true && live === undefined) {
      mounts.sort((a, b) => a.entry.mtimeMs - b.entry.mtimeMs || b.bytes - a.bytes);
      for (const mount of mounts) {
        if (fits()) break;
        if (mount.entry.mtimeMs >= inUseSince || !unusedFor(mount.entry.mtimeMs)) continue;
        await store.mounts.remove(mount.entry);
        result.mountsRemoved++;
        freed(mount.bytes);
      }
    }

    result.bytesFreed += await removeStaleStamps(store.paths.verified, stored);
    if (options.all === true) {
      result.bytesFreed += await removeUnused(path.join(store.paths.context, "context-stat"), inUseSince);
      result.bytesFreed += await removeUnused(store.paths.history, inUseSince);
    }
    return result;
  });
}

/** 6. Verified stamps (`verified/<hex>`) of blobs no longer stored. Returns the bytes freed. */
async function removeStaleStamps(dir: string, stored: ReadonlySet<string>): Promise<number> {
  let freed = 0;
  for (const name of await listDir(dir)) {
    if (!/^[a-f0-9]{64}$/.test(name) || stored.has(`sha256:${name}`)) continue;
    freed += await removeFile(path.join(dir, name));
  }
  return freed;
}

/** Files of `dir` (temp names aside) not modified since `since`. Returns the bytes freed. */
async function removeUnused(dir: string, since: number): Promise<number> {
  let freed = 0;
  for (const name of await listDir(dir)) {
    if (isTempName(name)) continue;
    const file = path.join(dir, name);
    const st = await fsp.lstat(file).catch(() => undefined);
    if (st?.isFile() === true && st.mtimeMs < since) freed += await removeFile(file);
  }
  return freed;
}

async function removeFile(file: string): Promise<number> {
  const st = await fsp.lstat(file).catch(() => undefined);
  if (st === undefined) return 0;
  await fsp.rm(file, { force: true });
  return st.size;
}
