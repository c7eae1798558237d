import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { CACHE_EXPORT_FILE, exportCache, importCache } from "../../src/cache/cache-export";
import { CacheStore } from "../../src/cache/cache-store";
import { sha256Digest } from "../../src/cache/digest";
import type { LayerRef } from "../../src/cache/step-record";
import { makeTempDir } from "./support/tmp-cache";

let tmp: ReturnType<typeof makeTempDir>;
let src: CacheStore;
let dst: CacheStore;
let exportDir: string;
beforeEach(async () => {
  tmp = makeTempDir();
  src = await CacheStore.open(path.join(tmp.dir, "src"));
  dst = await CacheStore.open(path.join(tmp.dir, "dst"));
  exportDir = path.join(tmp.dir, "export");
});
afterEach(() => tmp.cleanup());

async function record(key: string, content: string): Promise<LayerRef> {
  const b = await src.blobs.put(Readable.from([Buffer.from(content)]));
  const layer = {
    ...b,
    diffId: sha256Digest(`d-${content}`),
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
  };
  await src.records.put({ key, layer, stage: "build", description: `RUN ${key}` });
  return layer;
}

describe("cache export/import", () => {
  test("round trip: the selected records and their blobs arrive verified", async () => {
    const a = await record("key-a", "layer a");
    await record("key-b", "layer b");
    await src.records.put({ key: "key-meta", configChange: { workdir: "/app" } });
    const exported = await exportCache(src, ["key-a", "key-meta", "key-missing"], exportDir);
    expect(exported).toEqual({ records: 2, blobs: 1, bytes: a.size });
    expect(JSON.parse(fs.readFileSync(path.join(exportDir, "oci-layout"), "utf8"))).toEqual({
      imageLayoutVersion: "1.0.0",
    });
    expect(fs.readdirSync(path.join(exportDir, "blobs", "sha256"))).toEqual([a.digest.slice(7)]);

    const imported = await importCache(exportDir, dst);
    expect(imported).toEqual({ records: 2, blobs: 1, bytes: a.size, existing: 0 });
    expect(await dst.records.get("key-a", { touch: false })).toMatchObject({
      key: "key-a",
      layer: a,
      stage: "build",
    });
    expect(await dst.records.get("key-meta")).toMatchObject({
      layer: null,
      configChange: { workdir: "/app" },
    });
    expect(await dst.records.get("key-b")).toBeUndefined();
    expect(await dst.blobs.verify(a.digest)).toBe("ok");
    // Importing again changes nothing.
    expect(await importCache(exportDir, dst)).toMatchObject({ records: 0, blobs: 0, existing: 2 });
  });

  test("exporting everything and merging into an existing export", async () => {
    await record("one", "1");
    await exportCache(src, undefined, exportDir);
    await record("two", "2");
    await exportCache(src, ["two"], exportDir);
    const file = JSON.parse(fs.readFileSync(path.join(exportDir, CACHE_EXPORT_FILE), "utf8")) as {
      records: Array<{ key: string }>;
    };
    expect(file.records.map((r) => r.key).sort()).toEqual(["one", "two"]);
  });

  test("a tampered blob is rejected and no record is imported", async () => {
    await record("good", "good layer");
    const bad = await record("bad", "bad layer");
    await exportCache(src, undefined, exportDir);
    fs.writeFileSync(path.join(exportDir, "blobs", "sha256", bad.digest.slice(7)), "bad layeR"); // same length: only the digest can tell
    await expect(importCache(exportDir, dst)).rejects.toMatchObject({ code: "BLOB_DIGEST_MISMATCH" });
    expect(await dst.records.list()).toEqual([]);
    expect(await dst.blobs.has(bad.digest)).toBe(false);
  });

  test("a missing blob or malformed export file is CACHE_EXPORT_INVALID", async () => {
    const a = await record("a", "aaa");
    await exportCache(src, undefined, exportDir);
    fs.rmSync(path.join(exportDir, "blobs", "sha256", a.digest.slice(7)));
    await expect(importCache(exportDir, dst)).rejects.toMatchObject({ code: "CACHE_EXPORT_INVALID" });
    fs.writeFileSync(path.join(exportDir, CACHE_EXPORT_FILE), '{"version":2}');
    await expect(importCache(exportDir, dst)).rejects.toMatchObject({ code: "CACHE_EXPORT_INVALID" });
    await expect(importCache(path.join(tmp.dir, "nowhere"), dst)).rejects.toMatchObject({
      code: "CACHE_EXPORT_INVALID",
    });
  });
});
