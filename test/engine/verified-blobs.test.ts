import * as fs from "node:fs";
import { Readable } from "node:stream";
import { CacheStore } from "../../src/cache";
import { sha256Digest } from "../../src/image/digest";
import { VerifiedBlobs } from "../../src/engine/verified-blobs";
import { rm, tempTree } from "./helpers";

describe("VerifiedBlobs", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempTree({}, "tsbuild-cache-");
  });
  afterEach(() => rm(dir));

  async function storeWithBlob(): Promise<{ store: CacheStore; digest: string }> {
    const store = await CacheStore.open(dir);
    const data = Buffer.from("layer bytes ".repeat(100));
    const { digest } = await store.blobs.put(Readable.from([data]));
    expect(digest).toBe(sha256Digest(data));
    return { store, digest };
  }

  it("a stamped, untouched blob is intact without re-hashing", async () => {
    const { store, digest } = await storeWithBlob();
    const verified = new VerifiedBlobs(store.paths.verified, store.blobs);
    await verified.stamp(digest);
    const verify = jest.spyOn(store.blobs, "verify");
    expect(await verified.intact(digest)).toBe(true);
    expect(verify).not.toHaveBeenCalled();
  });

  it("an in-place edit of the same size invalidates the stamp and the re-hash evicts the blob", async () => {
    const { store, digest } = await storeWithBlob();
    const verified = new VerifiedBlobs(store.paths.verified, store.blobs);
    await verified.stamp(digest);
    await new Promise((r) => setTimeout(r, 20));
    const file = store.blobs.path(digest);
    const bytes = fs.readFileSync(file);
    bytes[0] ^= 1;
    fs.writeFileSync(file, bytes);
    expect(await verified.intact(digest)).toBe(false);
    expect(await store.blobs.has(digest)).toBe(false);
  });

  it("without a stamp the blob is re-hashed", async () => {
    const { store, digest } = await storeWithBlob();
    const verify = jest.spyOn(store.blobs, "verify");
    expect(await new VerifiedBlobs(store.paths.verified, store.blobs).intact(digest)).toBe(true);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it("a blob re-hashed and found intact is stamped: the next check reads the stamp", async () => {
    const { store, digest } = await storeWithBlob();
    const verified = new VerifiedBlobs(store.paths.verified, store.blobs);
    const verify = jest.spyOn(store.blobs, "verify");
    expect(await verified.intact(digest)).toBe(true);
    expect(await verified.intact(digest)).toBe(true);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it("a cache hit leaves the blob's stamp valid (hits do not touch blobs)", async () => {
    const { store, digest } = await storeWithBlob();
    const verified = new VerifiedBlobs(store.paths.verified, store.blobs);
    await verified.stamp(digest);
    const stamp = `${store.paths.verified}/${digest.slice("sha256:".length)}`;
    const stampIno = fs.statSync(stamp).ino;
    await store.records.put({ key: "k", layer: { digest, diffId: digest, size: 1200, mediaType: "m" } });
    const verify = jest.spyOn(store.blobs, "verify");
    for (let i = 0; i < 3; i++) {
      const hit = await store.records.get("k", { accept: (r) => verified.intact(r.layer!.digest) });
      expect(hit?.key).toBe("k");
    }
    expect(verify).not.toHaveBeenCalled();
    expect(fs.statSync(stamp).ino).toBe(stampIno); // not rewritten
  });

  it("a blob changed after a hit is re-hashed on the next one, and a corrupt one is a miss", async () => {
    const { store, digest } = await storeWithBlob();
    const verified = new VerifiedBlobs(store.paths.verified, store.blobs);
    await store.records.put({ key: "k", layer: { digest, diffId: digest, size: 1200, mediaType: "m" } });
    const accept = (r: { layer: { digest: string } | null }): Promise<boolean> =>
      verified.intact(r.layer!.digest);
    expect(await store.records.get("k", { accept })).toBeDefined();
    const file = store.blobs.path(digest);
    const bytes = fs.readFileSync(file);
    bytes[10] ^= 1;
    fs.writeFileSync(file, bytes);
    expect(await store.records.get("k", { accept })).toBeUndefined();
    expect(await store.blobs.has(digest)).toBe(false);
    expect(fs.existsSync(store.records.pathFor("k"))).toBe(false);
  });
});
