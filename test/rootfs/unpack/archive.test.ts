import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { createDecompressor, detectCompression } from "../../../src/image/decompress";
import { applyArchive, isArchive, isTarHeader, sniffArchive } from "../../../src/rootfs/unpack/archive";
import { fixturesRoot } from "../../support/paths";
import { makeSandbox, makeTar } from "./support";
import type { Sandbox } from "./support";

const archives = path.join(fixturesRoot, "archives");
const BIG_SHA = "d59967ea4fe1e1f4faec50c56131c113606940327c9bcf5e9da29c7b350d181e";
const kinds = [
  ["gzip", "hello.tar.gz"],
  ["bzip2", "hello.tar.bz2"],
  ["xz", "hello.tar.xz"],
  ["zstd", "hello.tar.zst"],
] as const;

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});
afterEach(async () => {
  await box.remove();
});

const sha = async (file: string): Promise<string> =>
  createHash("sha256")
    .update(await fsp.readFile(file))
    .digest("hex");

describe("detectCompression", () => {
  it.each(kinds)("recognizes %s by its magic bytes", async (kind, file) => {
    const head = (await fsp.readFile(path.join(archives, file))).subarray(0, 6);
    expect(detectCompression(head)).toBe(kind);
  });
  it("says none for a plain tar and for short input", async () => {
    expect(detectCompression(await makeTar([{ name: "f", body: "x" }]))).toBe("none");
    expect(detectCompression(Buffer.from([0x1f]))).toBe("none");
  });
});

describe("applyArchive", () => {
  it.each(kinds)("extracts a %s tar, streaming, with ADD semantics (.wh. names kept)", async (kind, file) => {
    const stats = await applyArchive(
      createReadStream(path.join(archives, file), { highWaterMark: 16 * 1024 }),
      box.target,
    );
    expect(await fsp.readFile(path.join(box.target, "dir/hello.txt"), "utf8")).toBe(
      "hello from an archive\n",
    );
    expect(await fsp.readlink(path.join(box.target, "link"))).toBe("dir/hello.txt");
    expect(await sha(path.join(box.target, "big.txt"))).toBe(BIG_SHA);
    expect((await fsp.lstat(path.join(box.target, ".wh.literal"))).isFile()).toBe(true);
    expect(stats.files).toBe(3);
    expect(kind).toBeTruthy();
  });

  it("extracts a plain tar", async () => {
    const tar = await makeTar([{ name: "a/b", body: "plain" }]);
    await applyArchive(Readable.from([tar]), box.target);
    expect(await fsp.readFile(path.join(box.target, "a/b"), "utf8")).toBe("plain");
  });

  it("refuses content that is not a tar with UNPACK_NOT_AN_ARCHIVE", async () => {
    await expect(
      applyArchive(createReadStream(path.join(archives, "notatar.txt.gz")), box.target),
    ).rejects.toMatchObject({
      code: "UNPACK_NOT_AN_ARCHIVE",
    });
  });

  it("reports a corrupt compressed archive as UNPACK_DECOMPRESS", async () => {
    const good = await fsp.readFile(path.join(archives, "hello.tar.gz"));
    const bad = Buffer.from(good);
    bad.fill(0x55, 4000, 9000);
    await expect(applyArchive(Readable.from([bad]), box.target)).rejects.toMatchObject({
      code: "UNPACK_DECOMPRESS",
    });
  });

  it("keeps applyLayer's containment for archives (a ../ entry inside a gzip)", async () => {
    const tar = await makeTar([{ name: "../escape", body: "x" }]);
    const gz = gzipSync(tar);
    await expect(applyArchive(Readable.from([gz]), box.target)).rejects.toMatchObject({
      code: "UNPACK_PATH_ESCAPE",
    });
    await expect(fsp.lstat(path.join(box.dir, "escape"))).rejects.toThrow(/ENOENT/);
  });
});

describe("isArchive / sniffArchive", () => {
  it.each(kinds)("says a %s tar is an archive from its head", async (_kind, file) => {
    const head = (await fsp.readFile(path.join(archives, file))).subarray(0, 1024 * 1024);
    expect(await isArchive(head)).toBe(true);
  });

  it("says plain text, a gzip of text, an empty file and random bytes are not archives", async () => {
    expect(await isArchive(Buffer.from("#!/bin/sh\necho hi\n".repeat(50)))).toBe(false);
    expect(await isArchive(await fsp.readFile(path.join(archives, "notatar.txt.gz")))).toBe(false);
    expect(await isArchive(Buffer.alloc(0))).toBe(false);
    expect(await isArchive(Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 251)))).toBe(
      false,
    );
  });

  it("hands back a non-archive's bytes unchanged for ADD to copy", async () => {
    const raw = await fsp.readFile(path.join(archives, "notatar.txt.gz"));
    const result = await sniffArchive(Readable.from([raw.subarray(0, 10), raw.subarray(10)]));
    expect(result.archive).toBe(false);
    if (result.archive) return;
    const chunks: Buffer[] = [];
    for await (const c of result.content) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(raw)).toBe(true);
  });

  it("checks tar header checksums", async () => {
    const tar = await makeTar([{ name: "f", body: "x" }]);
    expect(isTarHeader(tar.subarray(0, 512))).toBe(true);
    const broken = Buffer.from(tar.subarray(0, 512));
    broken[0] ^= 1;
    expect(isTarHeader(broken)).toBe(false);
    expect(isTarHeader(Buffer.alloc(512))).toBe(false);
  });
});

describe("createDecompressor", () => {
  it.each(kinds)("decompresses %s to the exact original tar", async (kind, file) => {
    const out = createHash("sha256");
    const d = createDecompressor(kind);
    createReadStream(path.join(archives, file)).pipe(d);
    for await (const chunk of d) out.update(chunk as Buffer);
    const gz = createDecompressor("gzip");
    createReadStream(path.join(archives, "hello.tar.gz")).pipe(gz);
    const ref = createHash("sha256");
    for await (const chunk of gz) ref.update(chunk as Buffer);
    expect(out.digest("hex")).toBe(ref.digest("hex"));
  });

  it("releases xz-decompress's process-wide lock when a decode is abandoned midway", async () => {
    const first = createDecompressor("xz");
    createReadStream(path.join(archives, "hello.tar.xz")).pipe(first);
    for await (const _chunk of first) break;
    const second = createDecompressor("xz");
    createReadStream(path.join(archives, "hello.tar.xz")).pipe(second);
    let n = 0;
    for await (const chunk of second) n += (chunk as Buffer).length;
    expect(n).toBeGreaterThan(1_500_000);
  });

  it.each(kinds)("fails on truncated %s input", async (kind, file) => {
    const data = await fsp.readFile(path.join(archives, file));
    const d = createDecompressor(kind);
    Readable.from([data.subarray(0, Math.floor(data.length / 2))]).pipe(d);
    await expect(
      (async () => {
        for await (const _chunk of d) void _chunk;
      })(),
    ).rejects.toThrow();
  });
});
