import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { CacheStore } from "../../src/cache/cache-store";
import type { CompressedVariant } from "../../src/cache/compressed-blobs";
import { diskUsage } from "../../src/cache/disk-usage";
import { prune } from "../../src/cache/prune";
import { HOUR, NOW, openTempStore, putAgedBlob, setAge, type TempDir } from "./support/store";

/**
 * compressed/ entries: the compressed layers exports make (see CompressedBlobs). They keep their
 * blob while their source layer is stored, are counted by du, and prune frees them: always when
 * the source is gone, with --all / --keep-storage / --filter until when unused.
 */
let tmp: TempDir;
let store: CacheStore;
beforeEach(async () => ({ tmp, store } = await openTempStore()));
afterEach(() => tmp.cleanup());

const blob = (content: string | Buffer): Promise<{ digest: string; size: number }> =>
  putAgedBlob(store, content);

/** A layer cached by a step record, and a gzip variant of it made `usedMs` ago. */
async function layerWithVariant(
  name: string,
  usedMs = 10 * HOUR,
): Promise<{ source: string; variant: CompressedVariant }> {
  const source = await blob(`tar of ${name}`.repeat(50));
  await store.records.put({
    key: name,
    layer: { ...source, diffId: source.digest, mediaType: "application/vnd.oci.image.layer.v1.tar" },
  });
  const packed = await blob(`gzip of ${name}`);
  const variant = { source: source.digest, compression: "gzip", level: 6, ...packed };
  await store.compressed.put(variant);
  setAge(store.compressed.pathFor(variant), usedMs);
  setAge(store.blobs.path(packed.digest), usedMs);
  return { source: source.digest, variant };
}

const entries = (): string[] =>
  fs.existsSync(store.paths.compressed) ? fs.readdirSync(store.paths.compressed) : [];

test("get() finds a variant by (source, compression, level), and heals an entry whose blob is gone", async () => {
  const { source, variant } = await layerWithVariant("a");
  expect(await store.compressed.get({ source, compression: "gzip", level: 6 })).toEqual(variant);
  expect(await store.compressed.get({ source, compression: "gzip", level: 9 })).toBeUndefined();
  expect(await store.compressed.get({ source, compression: "zstd", level: 6 })).toBeUndefined();
  await store.blobs.delete(variant.digest);
  expect(await store.compressed.get({ source, compression: "gzip", level: 6 })).toBeUndefined();
  expect(entries()).toEqual([]);
});

test("put() refuses an entry whose blob is not stored", async () => {
  const source = await blob("a layer");
  await store.compressed.put({
    source: source.digest,
    compression: "zstd",
    level: 3,
    digest: source.digest.replace(/.$/, "0"),
    size: 1,
  });
  expect(entries()).toEqual([]);
});

test("du counts variants as compressed layers and their entry files as metadata; the total adds up", async () => {
  const { variant } = await layerWithVariant("a");
  const du = await diskUsage(store);
  expect(du.compressedBlobs).toEqual({ count: 1, bytes: variant.size });
  expect(du.unreferencedBlobs.count).toBe(0);
  const duSb = Number(
    execFileSync("du", ["-sb", "--apparent-size", tmp.dir], { encoding: "utf8" }).split("\t")[0],
  );
  expect(du.totalBytes).toBe(duSb);
  const named =
    du.blobs.bytes +
    du.unpackedLayers.bytes +
    du.cacheMounts.bytes +
    du.metadata.bytes +
    du.temp.bytes +
    du.other.bytes;
  expect(named).toBe(du.totalBytes);
  expect(du.metadata.count).toBeGreaterThanOrEqual(2); // the record and the variant entry
});

test("a plain prune keeps live variants and frees those whose source layer is gone", async () => {
  const kept = await layerWithVariant("kept");
  const orphan = await layerWithVariant("orphan");
  await store.records.delete("orphan");
  const result = await prune(store, { now: NOW });
  expect(result.compressedRemoved).toBe(1);
  expect(await store.blobs.has(kept.variant.digest)).toBe(true);
  expect(await store.blobs.has(orphan.source)).toBe(false); // garbage once its record went
  expect(await store.blobs.has(orphan.variant.digest)).toBe(false);
  expect(entries()).toEqual([`${kept.source.slice(7)}-gzip-6.json`]);
});

test("prune --filter until frees unused variants only; --all frees every variant", async () => {
  const old = await layerWithVariant("old", 48 * HOUR);
  const recent = await layerWithVariant("recent", 1 * HOUR);
  const r1 = await prune(store, { now: NOW, until: 24 * HOUR });
  expect(r1.compressedRemoved).toBe(1);
  expect(await store.blobs.has(old.variant.digest)).toBe(false);
  expect(await store.blobs.has(recent.variant.digest)).toBe(true);
  const r2 = await prune(store, { now: NOW, all: true });
  expect(r2.compressedRemoved).toBe(1);
  expect(entries()).toEqual([]);
  expect((await store.blobs.list()).length).toBe(0);
});

test("prune --keep-storage frees variants (least recently used first) before step records", async () => {
  const old = await layerWithVariant("old", 48 * HOUR);
  const recent = await layerWithVariant("recent", 2 * HOUR);
  const total = (await store.blobs.list()).reduce((n, b) => n + b.size, 0);
  const result = await prune(store, { now: NOW, keepStorage: total - 1 });
  expect(result.compressedRemoved).toBe(1);
  expect(result.recordsRemoved).toBe(0);
  expect(await store.blobs.has(old.variant.digest)).toBe(false);
  expect(await store.blobs.has(recent.variant.digest)).toBe(true);
});
