import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { BlobStore } from "../../src/cache/blob-store";
import { sha256Digest } from "../../src/cache/digest";
import { BlobStoreError } from "../../src/cache/errors";
import { makeTempDir } from "./support/tmp-cache";

let tmp: ReturnType<typeof makeTempDir>;
let store: BlobStore;
beforeEach(async () => {
  tmp = makeTempDir();
  store = await BlobStore.open(tmp.dir);
});
afterEach(() => tmp.cleanup());

const entries = (): string[] => fs.readdirSync(store.dir).sort();

describe("BlobStore put", () => {
  test("stores content under blobs/sha256/<hex> and reads it back verified", async () => {
    const { digest, size } = await store.put(Readable.from([Buffer.from("hello "), Buffer.from("world")]));
    expect(digest).toBe(sha256Digest("hello world"));
    expect(size).toBe(11);
    expect(store.path(digest)).toBe(path.join(tmp.dir, "blobs", "sha256", digest.slice(7)));
    expect(await text(await store.open(digest))).toBe("hello world");
    expect(await store.stat(digest)).toMatchObject({ digest, size: 11 });
    expect(await store.has(digest)).toBe(true);
  });

  test("is atomic: while streaming only a temp file exists, never a partial blob", async () => {
    const source = new Readable({ read() {} });
    const push = (c: Buffer | null): boolean => source.push(c);
    const pending = store.put(source);
    push(Buffer.alloc(100_000, 1));
    await new Promise((r) => setTimeout(r, 50));
    expect(await store.list()).toEqual([]);
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatch(/^\.tmp-/);
    push(null);
    const { digest } = await pending;
    expect(entries()).toEqual([digest.slice(7)]);
  });

  test("a failing source leaves nothing behind", async () => {
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(10));
        this.destroy(new Error("network reset"));
      },
    });
    await expect(store.put(source)).rejects.toThrow("network reset");
    expect(entries()).toEqual([]);
  });

  test("is idempotent: putting stored content again drains, verifies and succeeds", async () => {
    const first = await store.put(Readable.from([Buffer.from("same")]));
    let drained = 0;
    const again = Readable.from(
      (function* () {
        for (const c of ["sa", "me"]) {
          drained++;
          yield Buffer.from(c);
        }
      })(),
    );
    expect(await store.put(again, { digest: first.digest })).toEqual(first);
    expect(drained).toBe(2);
    expect(entries()).toEqual([first.digest.slice(7)]);
  });

  test("a digest mismatch with `expected` rejects and leaves nothing", async () => {
    const wrong = sha256Digest("other");
    const err = await store
      .put(Readable.from([Buffer.from("content")]), { digest: wrong })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobStoreError);
    expect((err as BlobStoreError).code).toBe("BLOB_DIGEST_MISMATCH");
    expect(entries()).toEqual([]);
  });

  test("a size mismatch with `expected` rejects with BLOB_SIZE_MISMATCH", async () => {
    await expect(
      store.put(Readable.from([Buffer.from("content")]), { digest: sha256Digest("content"), size: 6 }),
    ).rejects.toMatchObject({ code: "BLOB_SIZE_MISMATCH" });
    expect(entries()).toEqual([]);
  });

  test("a malformed expected digest is a typed error", async () => {
    await expect(store.put(Readable.from([Buffer.from("x")]), { digest: "md5:abc" })).rejects.toMatchObject({
      code: "BLOB_INVALID_DIGEST",
    });
    expect(() => store.path("sha256:../../etc/passwd")).toThrow(BlobStoreError);
  });

  test("createWriter: producer pushes bytes, commit verifies and places", async () => {
    const writer = store.createWriter();
    writer.write(Buffer.from("ab"));
    writer.end(Buffer.from("c"));
    const result = await writer.commit({ digest: sha256Digest("abc"), size: 3 });
    expect(result).toEqual({ digest: sha256Digest("abc"), size: 3 });
    expect(await text(await store.open(result.digest))).toBe("abc");
    await expect(writer.commit()).rejects.toMatchObject({ code: "BLOB_WRITER_STATE" });
  });

  test("createWriter: commit before end() is a typed state error and keeps nothing", async () => {
    const writer = store.createWriter();
    writer.write(Buffer.from("half"));
    await expect(writer.commit()).rejects.toMatchObject({ code: "BLOB_WRITER_STATE" });
    await writer.abort();
    expect(entries()).toEqual([]);
  });

  test("createWriter: abort removes the temp file", async () => {
    const writer = store.createWriter();
    writer.write(Buffer.from("partial"));
    await new Promise((r) => setTimeout(r, 20));
    expect(entries()).toHaveLength(1);
    await writer.abort();
    expect(entries()).toEqual([]);
  });
});

describe("BlobStore putBytes", () => {
  test("stores new bytes; the same bytes again are compared, not rewritten; a damaged copy is replaced", async () => {
    const data = Buffer.from('{"config":true}');
    const d = await store.putBytes(data);
    expect(d).toEqual({ digest: sha256Digest(data), size: data.length });
    const file = store.path(d.digest);
    const ino = fs.statSync(file).ino;
    const past = new Date("2020-01-01T00:00:00Z");
    fs.utimesSync(file, past, past);
    await store.putBytes(data);
    expect(fs.statSync(file).ino).toBe(ino); // not replaced
    expect(fs.statSync(file).mtimeMs).toBeGreaterThan(Date.now() - 10_000); // but marked as just written
    fs.writeFileSync(file, '{"config":fals}');
    await store.putBytes(data);
    expect(fs.readFileSync(file)).toEqual(data);
  });
});

describe("BlobStore importFile", () => {
  test("verifies and renames a producer's file into place", async () => {
    const file = path.join(tmp.dir, "layer.tar.gz");
    fs.writeFileSync(file, "layer bytes");
    const digest = sha256Digest("layer bytes");
    expect(await store.importFile(file, { digest })).toEqual({ digest, size: 11 });
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(store.path(digest), "utf8")).toBe("layer bytes");
  });

  test("copy keeps the source", async () => {
    const file = path.join(tmp.dir, "keep.bin");
    fs.writeFileSync(file, "keep me");
    const { digest } = await store.importFile(file, {}, { copy: true });
    expect(fs.existsSync(file)).toBe(true);
    expect(await store.verify(digest)).toBe("ok");
  });

  test("a mismatch leaves the source untouched and the store empty", async () => {
    const file = path.join(tmp.dir, "bad.bin");
    fs.writeFileSync(file, "actual");
    await expect(store.importFile(file, { digest: sha256Digest("claimed") })).rejects.toMatchObject({
      code: "BLOB_DIGEST_MISMATCH",
    });
    expect(fs.readFileSync(file, "utf8")).toBe("actual");
    expect(entries()).toEqual([]);
  });
});

describe("BlobStore importHashed", () => {
  test("renames a file its writer hashed into place without reading it", async () => {
    const file = path.join(tmp.dir, "layer.tar");
    fs.writeFileSync(file, "tar bytes");
    const written = { digest: sha256Digest("tar bytes"), size: 9 };
    expect(await store.importHashed(file, written)).toEqual(written);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(store.path(written.digest), "utf8")).toBe("tar bytes");
  });

  test("a file whose size is not the writer's leaves the source untouched and the store empty", async () => {
    const file = path.join(tmp.dir, "short.tar");
    fs.writeFileSync(file, "tar");
    await expect(
      store.importHashed(file, { digest: sha256Digest("tar bytes"), size: 9 }),
    ).rejects.toMatchObject({
      code: "BLOB_SIZE_MISMATCH",
    });
    expect(fs.readFileSync(file, "utf8")).toBe("tar");
    expect(entries()).toEqual([]);
  });
});

describe("BlobStore verified reads", () => {
  test("a corrupted blob errors at the end of the stream and is evicted", async () => {
    const { digest } = await store.put(Readable.from([Buffer.from("original content")]));
    fs.writeFileSync(store.path(digest), "tampered content");
    const err = await text(await store.open(digest)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobStoreError);
    expect((err as BlobStoreError).code).toBe("BLOB_DIGEST_MISMATCH");
    expect((err as Error).message).toContain(digest);
    expect(await store.has(digest)).toBe(false);
  });

  test("a truncated blob is detected", async () => {
    const data = Buffer.alloc(300_000, 7);
    const { digest } = await store.put(Readable.from([data]));
    fs.truncateSync(store.path(digest), 1000);
    await expect(text(await store.open(digest))).rejects.toMatchObject({ code: "BLOB_DIGEST_MISMATCH" });
    expect(await store.has(digest)).toBe(false);
  });

  test("verify reports ok, corrupt (and evicts), missing", async () => {
    const { digest } = await store.put(Readable.from([Buffer.from("v")]));
    expect(await store.verify(digest)).toBe("ok");
    fs.appendFileSync(store.path(digest), "x");
    expect(await store.verify(digest)).toBe("corrupt");
    expect(await store.verify(digest)).toBe("missing");
  });

  test("open of a missing blob is BLOB_NOT_FOUND", async () => {
    await expect(store.open(sha256Digest("nope"))).rejects.toMatchObject({ code: "BLOB_NOT_FOUND" });
  });

  test("eviction does not remove a blob a concurrent put has just replaced", async () => {
    const { digest } = await store.put(Readable.from([Buffer.from("good")]));
    fs.writeFileSync(store.path(digest), "bad!");
    const reading = await store.open(digest);
    // The repair lands (new inode) before the corrupt reader finishes.
    await store.put(Readable.from([Buffer.from("good")]));
    await expect(text(reading)).rejects.toMatchObject({ code: "BLOB_DIGEST_MISMATCH" });
    expect(await store.verify(digest)).toBe("ok");
  });
});

describe("BlobStore listing and deletion", () => {
  test("list excludes temp files; delete removes", async () => {
    const a = await store.put(Readable.from([Buffer.from("a")]));
    const b = await store.put(Readable.from([Buffer.from("bb")]));
    fs.writeFileSync(path.join(store.dir, ".tmp-999-crashed"), "partial");
    expect((await store.list()).map((x) => x.digest).sort()).toEqual([a.digest, b.digest].sort());
    expect(await store.delete(a.digest)).toBe(true);
    expect(await store.delete(a.digest)).toBe(false);
    expect((await store.list()).map((x) => x.digest)).toEqual([b.digest]);
  });

  test("open() cleans temp files older than the stale age, keeps young ones", async () => {
    const old = path.join(store.dir, ".tmp-1-old");
    const young = path.join(store.dir, ".tmp-2-young");
    fs.writeFileSync(old, "x");
    fs.writeFileSync(young, "y");
    const past = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(old, past, past);
    await BlobStore.open(tmp.dir);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(young)).toBe(true);
  });
});
