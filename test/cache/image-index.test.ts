import * as fs from "node:fs";
import { Readable } from "node:stream";
import { CacheStore } from "../../src/cache/cache-store";
import { sha256Digest } from "../../src/cache/digest";
import { openTempStore, type TempDir } from "./support/store";
import { runWorker } from "./support/worker";

let tmp: TempDir;
let store: CacheStore;
beforeEach(async () => ({ tmp, store } = await openTempStore()));
afterEach(() => tmp.cleanup());

async function image(tag: string): Promise<{ manifestDigest: string; configDigest: string }> {
  const config = await store.blobs.put(Readable.from([Buffer.from(`{"tag":"${tag}"}`)]));
  const manifest = await store.blobs.put(
    Readable.from([
      Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: config.digest }, layers: [] })),
    ]),
  );
  return { manifestDigest: manifest.digest, configDigest: config.digest };
}

describe("image index", () => {
  test("tag, get, list, find by tag / manifest digest / config id prefix, untag", async () => {
    const a = await image("a");
    expect(await store.images.tag("app:1", { ...a, created: "2024-01-01T00:00:00.000Z" })).toBeUndefined();
    await store.images.tag("app:latest", a);
    expect(await store.images.get("app:1")).toEqual({ ...a, created: "2024-01-01T00:00:00.000Z" });
    expect((await store.images.list()).map((e) => e.tag)).toEqual(["app:1", "app:latest"]);
    expect((await store.images.find("app:1")).map((e) => e.tag)).toEqual(["app:1"]);
    expect((await store.images.find(a.manifestDigest)).length).toBe(2);
    expect((await store.images.find(a.configDigest.slice(7, 19))).length).toBe(2);
    expect(await store.images.find("zzzz")).toEqual([]);
    expect((await store.images.untag("app:1"))?.manifestDigest).toBe(a.manifestDigest);
    expect(await store.images.untag("app:1")).toBeUndefined();
    expect((await store.images.list()).map((e) => e.tag)).toEqual(["app:latest"]);
  });

  test("retagging returns the previous entry", async () => {
    const a = await image("a");
    const b = await image("b");
    await store.images.tag("t", a);
    expect((await store.images.tag("t", b))?.manifestDigest).toBe(a.manifestDigest);
    expect((await store.images.get("t"))?.manifestDigest).toBe(b.manifestDigest);
  });

  test("tagging an image whose blobs are not stored is refused", async () => {
    const missing = { manifestDigest: sha256Digest("m"), configDigest: sha256Digest("c") };
    await expect(store.images.tag("x", missing)).rejects.toMatchObject({ code: "CACHE_IMAGE_NOT_FOUND" });
    await expect(store.images.tag("x", { manifestDigest: "bad", configDigest: "bad" })).rejects.toMatchObject(
      {
        code: "CACHE_INDEX_INVALID",
      },
    );
    expect(await store.images.list()).toEqual([]);
  });

  test("a corrupt index.json is an error, not an empty index", async () => {
    fs.writeFileSync(store.images.file, "{ truncated");
    await expect(store.images.list()).rejects.toMatchObject({ code: "CACHE_INDEX_INVALID" });
    await expect(store.images.tag("x", await image("x"))).rejects.toMatchObject({
      code: "CACHE_INDEX_INVALID",
    });
  });

  test("two processes tagging at once lose no tags", async () => {
    await Promise.all([
      runWorker(["tag", tmp.dir, "40", "left"]),
      runWorker(["tag", tmp.dir, "40", "right"]),
    ]);
    const tags = (await store.images.list()).map((e) => e.tag);
    expect(tags).toHaveLength(80);
    expect(tags.filter((t) => t.startsWith("left-"))).toHaveLength(40);
    expect(fs.existsSync(`${tmp.dir}/lock`)).toBe(false);
  });
});
