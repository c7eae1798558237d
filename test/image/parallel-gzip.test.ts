import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { crc32, crc32Table } from "../../src/image/crc32";
import { closeDeflatePool, DEFAULT_GZIP_BLOCK, ParallelGzip } from "../../src/image/parallel-gzip";
import { collect } from "./tar-helpers";

afterAll(() => closeDeflatePool());

function mixed(size: number): Buffer {
  // Half compressible text, half random, so blocks differ in ratio.
  const text = Buffer.from("the quick brown fox jumps over the lazy dog\n".repeat(Math.ceil(size / 88)));
  return Buffer.concat([text.subarray(0, Math.floor(size / 2)), randomBytes(size - Math.floor(size / 2))]);
}

async function gzipParallel(data: Buffer, chunk = 10_000): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  return collect(Readable.from(parts).pipe(new ParallelGzip()));
}

describe("ParallelGzip", () => {
  it.each([0, 1, 1000, DEFAULT_GZIP_BLOCK, DEFAULT_GZIP_BLOCK + 1, 3 * DEFAULT_GZIP_BLOCK, 2_500_000])(
    "round-trips %d bytes through gunzip",
    async (size) => {
      const data = mixed(size);
      const gz = await gzipParallel(data);
      expect(zlib.gunzipSync(gz).equals(data)).toBe(true);
    },
  );

  it("is accepted by gzip -t and is deterministic regardless of input chunking", async () => {
    const data = mixed(1_000_000);
    const a = await gzipParallel(data, 7_777);
    const b = await gzipParallel(data, 131_072);
    expect(a.equals(b)).toBe(true);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-pgz-"));
    try {
      fs.writeFileSync(path.join(tmp, "x.gz"), a);
      execFileSync("gzip", ["-t", path.join(tmp, "x.gz")]);
      expect(
        execFileSync("sh", ["-c", `gzip -dc ${path.join(tmp, "x.gz")} | wc -c`], { encoding: "utf8" }).trim(),
      ).toBe("1000000");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("compresses repetitive data across block boundaries (dictionary priming works)", async () => {
    const unit = randomBytes(20_000);
    const data = Buffer.concat(Array.from({ length: 40 }, () => unit)); // 800 KB, period 20 KB
    const gz = await gzipParallel(data);
    // Without the previous block as dictionary each 128 KiB block would cost ≥ 20 KB.
    expect(gz.length).toBeLessThan(40_000);
  });
});

describe("crc32", () => {
  it("matches the table-driven implementation and chains", () => {
    const data = randomBytes(100_000);
    expect(crc32(data)).toBe(crc32Table(data));
    expect(crc32(data.subarray(500), crc32(data.subarray(0, 500)))).toBe(crc32Table(data));
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });
});
