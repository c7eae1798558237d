import * as fs from "node:fs";
import { Readable } from "node:stream";
import { CacheStore } from "../../src/cache/cache-store";
import { sha256Digest } from "../../src/cache/digest";
import { CacheError } from "../../src/cache/errors";
import type { LayerRef } from "../../src/cache/step-record";
import { openTempStore, type TempDir } from "./support/store";

let tmp: TempDir;
let store: CacheStore;
beforeEach(async () => ({ tmp, store } = await openTempStore()));
afterEach(() => tmp.cleanup());

async function layer(content: string): Promise<LayerRef> {
  const { digest, size } = await store.blobs.put(Readable.from([Buffer.from(content)]));
  return {
    digest,
    diffId: sha256Digest(`diff:${content}`),
    size,
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
  };
}

describe("step records", () => {
  test("round trip: put then get returns the record, keyed by sha256 of the cache key", async () => {
    const l = await layer("layer one");
    const put = await store.records.put({
      key: "sha256:key-1",
      layer: l,
      configChange: { env: ["A=1"] },
      stage: "build",
      description: "RUN make",
    });
    expect(fs.existsSync(store.records.pathFor("sha256:key-1"))).toBe(true);
    expect(store.records.pathFor("sha256:key-1")).toMatch(/records\/[a-f0-9]{64}\.json$/);
    const got = await store.records.get("sha256:key-1", { touch: false });
    expect(got).toEqual(put);
    expect(got?.layer).toEqual(l);
    expect(got?.configChange).toEqual({ env: ["A=1"] });
  });

  test("a step without a layer stores layer: null and needs no blob", async () => {
    await store.records.put({ key: "env-only", configChange: { user: "app" } });
    expect((await store.records.get("env-only"))?.layer).toBeNull();
  });

  test("ordering: a record cannot be written before its blob is in the store", async () => {
    const missing: LayerRef = {
      digest: sha256Digest("never stored"),
      diffId: sha256Digest("d"),
      size: 12,
      mediaType: "x",
    };
    const err = await store.records.put({ key: "k", layer: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheError);
    expect((err as CacheError).code).toBe("CACHE_RECORD_BLOB_MISSING");
    expect(fs.existsSync(store.records.pathFor("k"))).toBe(false);
    // Blob first, then the record: accepted.
    const stored = await layer("now stored");
    await expect(store.records.put({ key: "k", layer: stored })).resolves.toMatchObject({ key: "k" });
  });

  test("a record whose blob disappeared is a miss and is deleted", async () => {
    const l = await layer("will vanish");
    await store.records.put({ key: "k", layer: l });
    await store.blobs.delete(l.digest);
    expect(await store.records.get("k")).toBeUndefined();
    expect(fs.existsSync(store.records.pathFor("k"))).toBe(false);
  });

  test("an unparsable or mismatched record is a miss and is deleted", async () => {
    await store.records.put({ key: "k" });
    fs.writeFileSync(store.records.pathFor("k"), "{ not json");
    expect(await store.records.get("k")).toBeUndefined();
    expect(fs.existsSync(store.records.pathFor("k"))).toBe(false);

    // A record file holding another key's record (e.g. copied by hand) is not trusted.
    await store.records.put({ key: "other" });
    fs.copyFileSync(store.records.pathFor("other"), store.records.pathFor("k"));
    expect(await store.records.get("k")).toBeUndefined();

    fs.writeFileSync(
      store.records.pathFor("k"),
      JSON.stringify({ key: "k", createdAt: "x", lastUsedAt: "y" }),
    );
    expect(await store.records.get("k")).toBeUndefined();
  });

  test("a hit refreshes lastUsedAt (the record file's mtime, no rewrite) and leaves the blob alone; touch:false does not", async () => {
    const l = await layer("used");
    const old = "2020-01-01T00:00:00.000Z";
    await store.records.put({ key: "k", layer: l, createdAt: old, lastUsedAt: old });
    const file = store.records.pathFor("k");
    expect(fs.statSync(file).mtimeMs).toBe(Date.parse(old));
    const past = new Date("2020-01-01T00:00:00Z");
    fs.utimesSync(store.blobs.path(l.digest), past, past);
    const blobBefore = fs.statSync(store.blobs.path(l.digest), { bigint: true });
    const inode = fs.statSync(file).ino;
    expect((await store.records.get("k", { touch: false }))?.lastUsedAt).toBe(old);
    const hit = await store.records.get("k");
    expect(Date.parse(hit?.lastUsedAt ?? "")).toBeGreaterThan(Date.now() - 10_000);
    expect(hit?.createdAt).toBe(old);
    expect(fs.statSync(file).ino).toBe(inode);
    // The blob's ctime is what its verified stamp checks: a hit must not move it.
    const blobAfter = fs.statSync(store.blobs.path(l.digest), { bigint: true });
    expect(blobAfter.ctimeNs).toBe(blobBefore.ctimeNs);
    expect(blobAfter.mtimeMs).toBe(blobBefore.mtimeMs);
    expect((await store.records.get("k", { touch: false }))?.lastUsedAt).toBe(hit?.lastUsedAt);
    expect((await store.records.list()).find((r) => r.record.key === "k")?.record.lastUsedAt).toBe(
      hit?.lastUsedAt,
    );
  });

  test("list returns valid records and removes malformed files", async () => {
    await store.records.put({ key: "a" });
    await store.records.put({ key: "b" });
    const junk = `${store.records.dir}/${"0".repeat(64)}.json`;
    fs.writeFileSync(junk, "garbage");
    expect((await store.records.list()).map((r) => r.record.key).sort()).toEqual(["a", "b"]);
    expect(fs.existsSync(junk)).toBe(false);
    expect(await store.records.delete("a")).toBe(true);
    expect(await store.records.delete("a")).toBe(false);
  });

  test("putRecord rejects a malformed layer", async () => {
    await expect(
      store.records.put({ key: "k", layer: { digest: "nope", diffId: "x", size: -1, mediaType: "m" } }),
    ).rejects.toMatchObject({ code: "CACHE_RECORD_INVALID" });
  });
});
