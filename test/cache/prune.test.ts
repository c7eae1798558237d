import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { Readable } from "node:stream";
import { CacheStore } from "../../src/cache/cache-store";
import { sha256Digest } from "../../src/cache/digest";
import { diskUsage } from "../../src/cache/disk-usage";
import { prune } from "../../src/cache/prune";
import type { LayerRef } from "../../src/cache/step-record";
import { HOUR, NOW, openTempStore, putAgedBlob, type TempDir } from "./support/store";

let tmp: TempDir;
let store: CacheStore;
beforeEach(async () => ({ tmp, store } = await openTempStore()));
afterEach(() => tmp.cleanup());

const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const blob = (content: string | Buffer): Promise<{ digest: string; size: number }> =>
  putAgedBlob(store, content);

async function record(key: string, size: number, lastUsedMs: number): Promise<LayerRef> {
  const b = await blob(Buffer.alloc(size, key));
  const layer = { ...b, diffId: sha256Digest(key), mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" };
  await store.records.put({ key, layer, createdAt: ago(lastUsedMs), lastUsedAt: ago(lastUsedMs) });
  return layer;
}

/** A tagged image: manifest → config + layers, all stored as blobs. */
async function taggedImage(tag: string, layers: LayerRef[]): Promise<{ manifest: string; config: string }> {
  const config = await blob(`{"image":"${tag}"}`);
  const manifest = await blob(
    JSON.stringify({
      schemaVersion: 2,
      config: { digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ digest: l.digest, size: l.size })),
    }),
  );
  await store.images.tag(tag, { manifestDigest: manifest.digest, configDigest: config.digest });
  return { manifest: manifest.digest, config: config.digest };
}

const keys = async (): Promise<string[]> => (await store.records.list()).map((r) => r.record.key).sort();

describe("prune", () => {
  test("without options removes only unreferenced blobs and broken records", async () => {
    const kept = await record("kept", 100, 48 * HOUR);
    const garbage = await blob("orphan blob");
    const broken = await record("broken", 50, HOUR);
    await store.blobs.delete(broken.digest);
    const result = await prune(store, { now: NOW });
    expect(result).toMatchObject({ recordsRemoved: 1, blobsRemoved: 1, bytesFreed: garbage.size });
    expect(await keys()).toEqual(["kept"]);
    expect(await store.blobs.has(kept.digest)).toBe(true);
    expect(await store.blobs.has(garbage.digest)).toBe(false);
  });

  test("until removes records unused for that long and their blobs", async () => {
    const old = await record("old", 100, 48 * HOUR);
    const recent = await record("recent", 100, HOUR);
    const result = await prune(store, { until: 24 * HOUR, now: NOW });
    expect(result).toMatchObject({ recordsRemoved: 1, blobsRemoved: 1, bytesFreed: 100 });
    expect(await keys()).toEqual(["recent"]);
    expect(await store.blobs.has(old.digest)).toBe(false);
    expect(await store.blobs.has(recent.digest)).toBe(true);
  });

  test("a blob shared by two records stays until both are gone", async () => {
    const a = await record("a", 100, 48 * HOUR);
    await store.records.put({ key: "b", layer: a, createdAt: ago(HOUR), lastUsedAt: ago(HOUR) });
    await prune(store, { until: 24 * HOUR, now: NOW });
    expect(await keys()).toEqual(["b"]);
    expect(await store.blobs.has(a.digest)).toBe(true);
  });

  test("all removes every record but keeps what tagged images reach through their manifests", async () => {
    const inImage = await record("in-image", 100, 48 * HOUR);
    const cacheOnly = await record("cache-only", 100, HOUR);
    const img = await taggedImage("app:1", [inImage]);
    const result = await prune(store, { all: true, now: NOW });
    expect(result.recordsRemoved).toBe(2);
    expect(await keys()).toEqual([]);
    expect(await store.blobs.has(inImage.digest)).toBe(true);
    expect(await store.blobs.has(img.manifest)).toBe(true);
    expect(await store.blobs.has(img.config)).toBe(true);
    expect(await store.blobs.has(cacheOnly.digest)).toBe(false);
    // Untagging makes the image's blobs garbage.
    await store.images.untag("app:1");
    await prune(store, { now: NOW });
    expect(await store.blobs.list()).toEqual([]);
  });

  test("an unparsable manifest references nothing", async () => {
    const layer = await record("l", 100, HOUR);
    const bogus = await blob("not json {");
    const config = await blob("{}");
    await store.images.tag("bad", { manifestDigest: bogus.digest, configDigest: config.digest });
    await prune(store, { all: true, now: NOW });
    expect(await store.blobs.has(bogus.digest)).toBe(true); // the root itself is tagged
    expect(await store.blobs.has(layer.digest)).toBe(false);
    expect(await store.blobs.has(config.digest)).toBe(false); // only the manifest would have kept it
  });

  test("keepStorage removes garbage first, then least recently used (biggest first) until it fits", async () => {
    const garbage = await blob(Buffer.alloc(300, 1));
    await record("oldest-small", 100, 50 * HOUR);
    await record("oldest-big", 400, 50 * HOUR);
    await record("middle", 200, 20 * HOUR);
    await record("newest", 300, HOUR);
    // total = 300 + 100 + 400 + 200 + 300 = 1300
    expect((await diskUsage(store)).blobs.bytes).toBe(1300);
    const result = await prune(store, { keepStorage: 600, now: NOW });
    // garbage (300) → 1000; oldest-big (400) → 600: fits.
    expect(result).toMatchObject({ recordsRemoved: 1, blobsRemoved: 2, bytesFreed: 700 });
    expect(await keys()).toEqual(["middle", "newest", "oldest-small"]);
    expect(await store.blobs.has(garbage.digest)).toBe(false);
    expect((await diskUsage(store)).blobs.bytes).toBe(600);
  });

  test("keepStorage already satisfied removes nothing", async () => {
    await blob("garbage");
    await record("r", 100, 50 * HOUR);
    expect(await prune(store, { keepStorage: 10_000, now: NOW })).toMatchObject({
      recordsRemoved: 0,
      blobsRemoved: 0,
    });
  });

  test("a running build's fresh blobs and hit records survive prune --all", async () => {
    await record("old-unused", 100, 48 * HOUR);
    await record("old-but-hit", 100, 48 * HOUR);
    const session = await store.beginBuild();
    try {
      // The build hits one record and writes a blob whose record is not written yet.
      await store.records.get("old-but-hit");
      const pending = await store.blobs.put(Readable.from([Buffer.from("just built")]));
      await prune(store, { all: true });
      expect(await keys()).toEqual(["old-but-hit"]);
      expect(await store.blobs.has(pending.digest)).toBe(true);
      await store.records.put({ key: "new", layer: { ...pending, diffId: pending.digest, mediaType: "m" } });
    } finally {
      await session.end();
    }
    await prune(store, { all: true });
    expect(await keys()).toEqual([]);
    expect(await store.blobs.list()).toEqual([]);
  });

  test("a session of a dead build protects nothing", async () => {
    await record("r", 100, 48 * HOUR);
    fs.mkdirSync(store.sessionsDir, { recursive: true });
    fs.writeFileSync(
      `${store.sessionsDir}/999999-dead.json`,
      JSON.stringify({ pid: 999_999_999, start: null, startedAt: 0 }),
    );
    await prune(store, { all: true });
    expect(await keys()).toEqual([]);
    expect(fs.readdirSync(store.sessionsDir)).toEqual([]);
  });
});

describe("diskUsage", () => {
  test("counts blobs, records, images and splits bytes by what references them", async () => {
    const inImage = await record("in-image", 100, HOUR);
    await record("cache-only", 250, HOUR);
    const orphan = await blob(Buffer.alloc(40, 9));
    const img = await taggedImage("app:1", [inImage]);
    fs.writeFileSync(`${store.blobs.dir}/.tmp-1-inflight`, Buffer.alloc(7));
    const imageMeta =
      (await store.blobs.stat(img.manifest))!.size + (await store.blobs.stat(img.config))!.size;
    const du = await diskUsage(store);
    expect(du).toMatchObject({
      blobs: { count: 5, bytes: 100 + 250 + 40 + imageMeta },
      records: 2,
      images: 1,
      imageBlobs: { count: 3, bytes: 100 + imageMeta },
      cacheOnlyBlobs: { count: 1, bytes: 250 },
      unreferencedBlobs: { count: 1, bytes: orphan.size },
      unpackedLayers: { count: 0, bytes: 0 },
      cacheMounts: { count: 0, bytes: 0 },
      temp: { count: 1, bytes: 7 },
    });
    // Two record files and index.json.
    expect(du.metadata.count).toBe(3);
    expect(du.totalBytes).toBe(duSb(tmp.dir));
    expect(du.blobs.bytes + du.metadata.bytes + du.temp.bytes + du.other.bytes).toBe(du.totalBytes);
  });
});

/** What `du -sb` says the directory takes. */
function duSb(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}
