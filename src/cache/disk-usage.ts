import type * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { CacheStore } from "./cache-store";
import { isErrno } from "./errors";
import type { LayerDirEntry } from "./layer-dirs";
import { reachableBlobs } from "./manifest-refs";
import { isTempName, treeBytes } from "./temp-files";

export interface UsagePart {
  count: number;
  bytes: number;
}

/** What `tsbuild du` prints: every byte under the cache dir, by what it is and what frees it. */
export interface DiskUsage {
  blobs: UsagePart;
  /** Number of step records. */
  records: number;
  /** Number of tags. */
  images: number;
  /** Blobs reachable from a tag (kept by every prune). */
  imageBlobs: UsagePart;
  /** Blobs referenced by a step record but by no tagged image. */
  cacheOnlyBlobs: UsagePart;
  /**
   * Compressed layers made on export or push (`compressed/` entries), referenced by no tagged
   * image nor step record: re-made on demand; `prune --all` frees them, a plain `prune` only
   * those whose source layer is gone.
   */
  compressedBlobs: UsagePart;
  /** Blobs nothing references: what a plain `prune` frees. */
  unreferencedBlobs: UsagePart;
  /** Base layers unpacked for RUN and COPY (derived from their blobs; `prune --all` frees them). */
  unpackedLayers: UsagePart;
  /** The unpacked layers whose blob is gone (or unknown): what a plain `prune` frees of them. */
  orphanedLayers: UsagePart;
  /** `RUN --mount=type=cache` directories (`prune --all` frees them). */
  cacheMounts: UsagePart;
  /** Files of step records, the index, sessions, the lock, registry refs, verified stamps, context stat caches, compressed-layer entries, step history. */
  metadata: UsagePart;
  /** In-flight or dead writers' temp files, build scratch directories. */
  temp: UsagePart;
  /** Directories themselves and anything no part owns. */
  other: { bytes: number };
  /** Everything under the cache dir, as `du -sb` counts it (apparent sizes, hard links once). */
  totalBytes: number;
}

const part = (): UsagePart => ({ count: 0, bytes: 0 });

export async function diskUsage(store: CacheStore): Promise<DiskUsage> {
  const p = store.paths;
  const [blobs, records, images, temps, layers, mounts, variants] = await Promise.all([
    store.blobs.list(),
    store.records.list(),
    store.images.list(),
    store.blobs.listTemps(),
    store.layers.list(),
    store.mounts.list(),
    store.compressed.list(),
  ]);
  const fromImages = await reachableBlobs(
    store.blobs,
    images.map((i) => i.manifestDigest),
  );
  const fromRecords = new Set(records.flatMap((r) => (r.record.layer ? [r.record.layer.digest] : [])));
  const sum = (list: Array<{ size: number }>): UsagePart => ({
    count: list.length,
    bytes: list.reduce((n, b) => n + b.size, 0),
  });
  const stored = new Set(blobs.map((b) => b.digest));
  // A variant keeps its blob while its source is stored (as prune does).
  const fromVariants = new Set(
    variants.flatMap((v) => (v.variant && stored.has(v.variant.source) ? [v.variant.digest] : [])),
  );
  const referenced = (digest: string): boolean =>
    fromImages.has(digest) || fromRecords.has(digest) || fromVariants.has(digest);

  const temp = sum(temps);
  const metadata = part();
  const unpackedLayers = part();
  const orphanedLayers = part();
  for (const entry of layers) {
    const bytes = await store.layers.bytes(entry);
    add(unpackedLayers, bytes);
    if (isOrphaned(entry, stored)) add(orphanedLayers, bytes);
  }
  const cacheMounts = part();
  for (const entry of mounts) add(cacheMounts, await store.mounts.bytes(entry));

  // Temp names in every owned directory; plain files of the metadata directories.
  for (const dir of [p.layers, p.mounts]) {
    await eachChild(dir, async (file, name) => {
      if (isTempName(name)) add(temp, await treeBytes(file));
    });
  }
  for (const dir of [
    p.records,
    p.sessions,
    p.verified,
    p.context,
    path.join(p.context, "context-stat"),
    p.compressed,
    p.history,
  ]) {
    await eachChild(dir, async (file, name, st) => {
      if (isTempName(name)) add(temp, await treeBytes(file));
      else if (!st.isDirectory()) add(metadata, st.size);
    });
  }
  await eachChild(p.tmp, async (file) => add(temp, await treeBytes(file)));
  await eachChild(p.root, async (file, name, st) => {
    if (isTempName(name)) add(temp, await treeBytes(file));
    else if (!st.isDirectory()) add(metadata, st.size);
  });

  const totalBytes = await treeBytes(p.root);
  const blobsPart = sum(blobs);
  const named = [blobsPart, unpackedLayers, cacheMounts, metadata, temp].reduce((n, x) => n + x.bytes, 0);
  const other = { bytes: Math.max(0, totalBytes - named) };
  return {
    blobs: blobsPart,
    records: records.length,
    images: images.length,
    imageBlobs: sum(blobs.filter((b) => fromImages.has(b.digest))),
    cacheOnlyBlobs: sum(blobs.filter((b) => !fromImages.has(b.digest) && fromRecords.has(b.digest))),
    compressedBlobs: sum(
      blobs.filter(
        (b) => !fromImages.has(b.digest) && !fromRecords.has(b.digest) && fromVariants.has(b.digest),
      ),
    ),
    unreferencedBlobs: sum(blobs.filter((b) => !referenced(b.digest))),
    unpackedLayers,
    orphanedLayers,
    cacheMounts,
    metadata,
    temp,
    other,
    totalBytes,
  };
}

/** An unpacked layer none of whose blobs is stored any more (or whose blob was never recorded). */
export function isOrphaned(entry: LayerDirEntry, stored: ReadonlySet<string>): boolean {
  return !entry.blobs.some((b) => stored.has(b));
}

function add(to: UsagePart, bytes: number): void {
  to.count++;
  to.bytes += bytes;
}

async function eachChild(
  dir: string,
  fn: (file: string, name: string, st: fs.Stats) => Promise<void>,
): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return;
    throw err;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    const st = await fsp.lstat(file).catch(() => undefined);
    if (st !== undefined) await fn(file, name, st);
  }
}
