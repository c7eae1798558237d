import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildLayer } from "../../src/image/build-layer";
import { BlobLayer } from "../../src/image/blob-layer";
import { isCompressionSupported, parseCompression } from "../../src/image/compression";
import { digestStream } from "../../src/image/digest";
import { InvalidLayerEntryError, UnsupportedCompressionError } from "../../src/image/errors";
import type { LayerEntry } from "../../src/image/layer-entry";
import { MediaType } from "../../src/image/media-types";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { dir, file, readTar } from "./tar-helpers";

afterAll(() => closeDeflatePool());

function entries(): LayerEntry[] {
  return [
    dir("app"),
    file("app/big", Buffer.alloc(400_000, "z")),
    file("app/small", "hi\n"),
    { type: "whiteout", path: "app/old" },
  ];
}

describe("buildLayer", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-build-layer-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(["gzip", "zstd", "uncompressed"] as const)(
    "writes a %s blob named by its digest; digests re-hash correctly",
    async (compression) => {
      if (compression === "zstd" && !isCompressionSupported("zstd")) return;
      const layer = await buildLayer(entries(), { dir: tmp, compression, clampMtime: 0 });
      const digest = await layer.digest();
      expect(fs.readdirSync(tmp)).toEqual([digest.slice(7)]);
      const blob = await digestStream(await layer.compressed());
      expect(blob).toEqual({ digest, size: await layer.size() });
      const tar = await digestStream(await layer.uncompressed());
      expect(tar.digest).toBe(await layer.diffId());
      if (compression === "uncompressed") expect(digest).toBe(await layer.diffId());
      const read = await readTar(await layer.uncompressed());
      expect(read.map((e) => e.name)).toEqual(["app/", "app/big", "app/small", "app/.wh.old"]);
      expect(await layer.mediaType()).toBe(
        { gzip: MediaType.ociLayerGzip, zstd: MediaType.ociLayerZstd, uncompressed: MediaType.ociLayer }[
          compression
        ],
      );
      if (compression === "gzip") execFileSync("gzip", ["-t", path.join(tmp, digest.slice(7))]);
      if (compression === "zstd") execFileSync("zstd", ["-t", "-q", path.join(tmp, digest.slice(7))]);
    },
  );

  // Uncompressed tars up to 1 MiB are gathered in memory and written at once, larger ones streamed.
  it.each([900_000, 3_000_000])(
    "an uncompressed layer of a %i-byte file: the tar a gzip layer holds, hashed right",
    async (bytes) => {
      const big = (): LayerEntry[] => [
        dir("d"),
        file("d/f", Buffer.alloc(bytes, "q")),
        file("d/g", "tail\n"),
      ];
      const plain = await buildLayer(big(), { dir: tmp, compression: "uncompressed", clampMtime: 0 });
      const gzip = await buildLayer(big(), { dir: tmp, compression: "gzip", clampMtime: 0 });
      expect(await plain.digest()).toBe(await gzip.diffId());
      expect(await digestStream(await plain.compressed())).toEqual({
        digest: await plain.digest(),
        size: await plain.size(),
      });
      expect(fs.readdirSync(tmp).sort()).toEqual(
        [(await plain.digest()).slice(7), (await gzip.digest()).slice(7)].sort(),
      );
      // A bad entry after the first mebibyte: nothing left either.
      const bad = [...big(), { ...file("z", "four"), size: 9 } as LayerEntry];
      await expect(buildLayer(bad, { dir: tmp, compression: "uncompressed" })).rejects.toBeInstanceOf(
        InvalidLayerEntryError,
      );
      expect(fs.readdirSync(tmp)).toHaveLength(2);
    },
  );

  it("is reproducible and idempotent: the same entries give the same blob", async () => {
    const a = await buildLayer(entries(), { dir: tmp, clampMtime: 1 });
    const b = await buildLayer(entries(), { dir: tmp, clampMtime: 1 });
    expect(await a.digest()).toBe(await b.digest());
    expect(fs.readdirSync(tmp)).toHaveLength(1);
  });

  it("leaves nothing behind when an entry is invalid", async () => {
    const bad: LayerEntry[] = [file("ok", "1"), { ...file("f", "four"), size: 9 } as LayerEntry];
    await expect(buildLayer(bad, { dir: tmp })).rejects.toBeInstanceOf(InvalidLayerEntryError);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("wraps an existing blob as a Layer (cached layers)", async () => {
    const built = await buildLayer(entries(), { dir: tmp });
    const cached = new BlobLayer({ ...built.info });
    expect(await cached.diffId()).toBe(await built.diffId());
    expect(() => new BlobLayer({ ...built.info, digest: "sha256:nope" })).toThrow(/not sha256/);
    expect(() => new BlobLayer({ ...built.info, mediaType: "text/plain" })).toThrow(
      UnsupportedCompressionError,
    );
  });

  it("streams entries from an async generator", async () => {
    async function* gen(): AsyncGenerator<LayerEntry> {
      for (let i = 0; i < 50; i++) yield file(`f${String(i).padStart(2, "0")}`, `n${i}`);
    }
    const layer = await buildLayer(gen(), { dir: tmp });
    expect((await readTar(await layer.uncompressed())).length).toBe(50);
  });

  it("parses compression names", () => {
    expect(parseCompression("zstd")).toBe("zstd");
    expect(() => parseCompression("lz4")).toThrow(UnsupportedCompressionError);
  });
});
