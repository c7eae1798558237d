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
});
