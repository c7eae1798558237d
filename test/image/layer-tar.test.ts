import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { InvalidLayerEntryError, WhiteoutNameError } from "../../src/image/errors";
import type { LayerEntry } from "../../src/image/layer-entry";
import { layerTar } from "../../src/image/layer-tar";
import { sortEntries, compareSegmentBytes, compareTarNames } from "../../src/image/sort-entries";
import { collect, dir, file, readTar, symlink } from "./tar-helpers";

const T = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;

describe("layerTar", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-layer-tar-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("writes entries in order with uid/gid kept, empty uname/gname and directory slashes", async () => {
    const entries = [
      dir("etc"),
      file("etc/passwd", "root:x:0:0\n", { uid: 1000, gid: 1001, mode: 0o600 }),
      symlink("etc/link", "passwd"),
    ];
    const read = await readTar(layerTar(entries));
    expect(read.map((e) => [e.name, e.type, e.mode, e.uid, e.gid, e.mtime, e.uname, e.gname])).toEqual([
      ["etc/", "directory", 0o755, 0, 0, T, "", ""],
      ["etc/passwd", "file", 0o600, 1000, 1001, T, "", ""],
      ["etc/link", "symlink", 0o777, 0, 0, T, "", ""],
    ]);
    expect(read[1]?.content.toString()).toBe("root:x:0:0\n");
    expect(read[2]?.linkname).toBe("passwd");
  });

  it("is byte-identical across runs and clamps mtimes", async () => {
    const make = (): LayerEntry[] => [
      dir("a", { mtimeMs: 5e12 }),
      file("a/b", "x".repeat(70000), { mtimeMs: 5e12 }),
      file("a/c", "y"),
    ];
    const one = await collect(layerTar(make(), { clampMtime: 1000 }));
    const two = await collect(layerTar(make(), { clampMtime: 1000 }));
    expect(one.equals(two)).toBe(true);
    const read = await readTar(Readable.from([one]));
    expect(read.map((e) => e.mtime)).toEqual([1000, 1000, 1000]);
    expect(one.length % 512).toBe(0);
  });

  it("uses PAX for long names, long link names, non-ASCII names, big uids and binary xattrs; GNU tar agrees", async () => {
    const longName = "d/" + "x".repeat(150) + "/" + "y".repeat(120);
    const longTarget = "/" + "t".repeat(200);
    const cap = Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const entries = [
      dir("d"),
      file(longName, "abc", { uid: 3_000_000 }),
      file("d/ünïcødé", "u"),
      symlink("d/l", longTarget),
      file("d/cap", "bin", { xattrs: { "security.capability": cap, "user.note": Buffer.from("hi") } }),
    ];
    const tarPath = path.join(tmp, "l.tar");
    fs.writeFileSync(tarPath, await collect(layerTar(entries)));
    const read = await readTar(fs.createReadStream(tarPath));
    expect(read.map((e) => e.name)).toEqual(["d/", longName, "d/ünïcødé", "d/l", "d/cap"]);
    expect(read[1]?.pax?.uid).toBe("3000000"); // tar-stream exposes it; GNU tar applies it below
    expect(read[3]?.linkname).toBe(longTarget);
    const listing = execFileSync("tar", ["--numeric-owner", "-tvf", tarPath], { encoding: "utf8" });
    expect(listing).toContain(longName);
    expect(listing).toContain("3000000/0");
    expect(listing).toContain("d/ünïcødé");
    // GNU tar restores the binary xattr exactly.
    const out = path.join(tmp, "x");
    fs.mkdirSync(out);
    execFileSync("tar", ["--xattrs", "--xattrs-include=*", "-xf", tarPath, "-C", out]);
    const got = execFileSync(
      "python3",
      ["-c", "import os,sys; print(os.getxattr(sys.argv[1], 'user.note').hex())", path.join(out, "d/cap")],
      { encoding: "utf8" },
    );
    expect(got.trim()).toBe("6869");
    const paxRaw = fs.readFileSync(tarPath).toString("latin1");
    expect(paxRaw).toContain("SCHILY.xattr.security.capability=" + cap.toString("latin1") + "\n");
  });

  it("writes whiteouts as .wh.<name> and opaque directories as .wh..wh..opq", async () => {
    const read = await readTar(
      layerTar([
        dir("a"),
        { type: "opaque", path: "a" },
        { type: "whiteout", path: "a/gone" },
        { type: "whiteout", path: "top" },
      ]),
    );
    expect(read.map((e) => [e.name, e.type, e.size, e.mode])).toEqual([
      ["a/", "directory", 0, 0o755],
      ["a/.wh..wh..opq", "file", 0, 0],
      ["a/.wh.gone", "file", 0, 0],
      [".wh.top", "file", 0, 0],
    ]);
  });

  it.each([
    [file("etc/.wh.passwd", ""), /"etc\/\.wh\.passwd" is named like a whiteout: .*deletes "passwd"/],
    [
      file("d/.wh..wh..opq", ""),
      /"d\/\.wh\.\.wh\.\.opq" is named like a whiteout: .*hides its whole directory/,
    ],
    [dir(".wh.bin"), /"\.wh\.bin" is named like a whiteout/],
    [file(".wh.dir/inner", "x"), /"\.wh\.dir\/inner" is named like a whiteout/],
    [{ type: "whiteout", path: ".wh.x/y" } satisfies LayerEntry, /"\.wh\.x\/y" is named like a whiteout/],
  ])("refuses an entry with a .wh. name that is not a whiteout (%#)", async (entry, message) => {
    const read = async (): Promise<void> => {
      for await (const chunk of layerTar([entry])) void chunk;
    };
    const err = await read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhiteoutNameError);
    expect((err as Error).message).toMatch(message);
  });

  it("writes hard links and devices", async () => {
    const read = await readTar(
      layerTar([
        file("f", "data"),
        { type: "hardlink", path: "g", target: "f", mode: 0o644, uid: 0, gid: 0, mtimeMs: 0 },
        {
          type: "char-device",
          path: "null",
          devmajor: 1,
          devminor: 3,
          mode: 0o666,
          uid: 0,
          gid: 0,
          mtimeMs: 0,
        },
        { type: "fifo", path: "p", devmajor: 0, devminor: 0, mode: 0o600, uid: 0, gid: 0, mtimeMs: 0 },
      ]),
    );
    expect(read.map((e) => [e.name, e.type, e.linkname])).toEqual([
      ["f", "file", null],
      ["g", "link", "f"],
      ["null", "character-device", null],
      ["p", "fifo", null],
    ]);
  });

  it("rejects bad paths and files whose size changed", async () => {
    await expect(collect(layerTar([file("../etc/passwd", "x")]))).rejects.toBeInstanceOf(
      InvalidLayerEntryError,
    );
    await expect(collect(layerTar([file("/abs", "x")]))).rejects.toThrow(/must be relative/);
    const liar: LayerEntry = { ...file("f", "four"), size: 10 } as LayerEntry;
    await expect(collect(layerTar([liar]))).rejects.toThrow(/got 4 bytes, expected 10/);
  });

  it("encodes a size beyond 8 GiB in a PAX record (header only, content not streamed)", async () => {
    const big = 9 * 1024 ** 3;
    const { encodeTarHeader } = await import("../../src/image/tar-header");
    const hdr = encodeTarHeader({
      name: "big",
      type: "file",
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: big,
      mtime: 0,
    });
    expect(hdr.toString("latin1")).toContain(`size=${big}\n`);
    expect(hdr.length).toBe(3 * 512); // PAX header block, records block, ustar block
    // The ustar size field (offset 124) holds 0; readers take the size from the PAX record.
    expect(hdr.subarray(2 * 512 + 124, 2 * 512 + 135).toString("ascii")).toBe("00000000000");
  });
});

describe("sortEntries", () => {
  it("orders parents before children segment-wise, hard links last", async () => {
    const sorted = await sortEntries([
      file("a.b", "1"),
      { type: "hardlink", path: "0link", target: "a/z", mode: 0o644, uid: 0, gid: 0, mtimeMs: 0 },
      file("a/z", "2"),
      dir("a"),
      { type: "whiteout", path: "a/old" },
    ]);
    expect(sorted.map((e) => e.path)).toEqual(["a", "a/old", "a/z", "a.b", "0link"]);
    expect(compareTarNames("a/", "a/b")).toBeLessThan(0);
    // A trailing "/" (directories' tar names) is not part of the comparison.
    expect(compareTarNames("a/", "a")).toBe(0);
    expect(compareTarNames("ab/", "ab.c")).toBeLessThan(0);
    expect(compareTarNames("a.c", "ab/")).toBeLessThan(0);
  });

  it("compares as segment-wise UTF-8 bytes (random names: '/', '.', control, non-ASCII, astral)", () => {
    // UTF-16 order differs from UTF-8 byte order for U+E000..U+FFFF against astral characters.
    const alphabet = [
      "a",
      "b",
      "/",
      ".",
      "-",
      "\x01",
      "\x7f",
      "é",
      "\u00ff",
      "\u0100",
      "\ue000",
      "\uffee",
      "😀",
      "z",
    ];
    let seed = 7;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const name = (): string => {
      let s = alphabet[rand(alphabet.length)];
      for (let i = rand(6); i > 0; i--) s += alphabet[rand(alphabet.length)];
      return s.replace(/\/+/g, "/").replace(/^\//, "a/") + (rand(4) === 0 ? "/" : "");
    };
    const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
    for (let i = 0; i < 5000; i++) {
      const a = name();
      const b = name();
      expect([a, b, sign(compareTarNames(a, b))]).toEqual([a, b, sign(compareSegmentBytes(a, b))]);
    }
  });
});

describe("layerTar reading entries' host files directly (contentPath)", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "layer-tar-direct-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** The entry of host file `name` as stat'd now, read through contentPath (open must not run). */
  function hostFile(name: string, size = fs.statSync(path.join(tmp, name)).size): LayerEntry {
    return {
      ...file(name, ""),
      size,
      contentPath: path.join(tmp, name),
      open: () => {
        throw new Error("open() called although contentPath is set");
      },
    } as LayerEntry;
  }

  it("writes the same bytes as the stream path, small and large files alike", async () => {
    const small = Buffer.from("x".repeat(3000));
    const large = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    fs.writeFileSync(path.join(tmp, "small"), small);
    fs.writeFileSync(path.join(tmp, "large"), large);
    const direct = await collect(layerTar([hostFile("large"), hostFile("small")]));
    const streamed = await collect(layerTar([file("large", large), file("small", small)]));
    expect(direct.equals(streamed)).toBe(true);
  });

  it.each([
    ["small", 100, "grew past its declared size"],
    ["small", 5000, "got 4000 bytes, expected 5000"],
    ["large", 100_000, "grew past its declared size"],
    ["large", 300_000, "got 200000 bytes, expected 300000"],
  ])("refuses a %s file whose size changed since its stat (declared %d)", async (kind, declared, message) => {
    const name = `${kind}-${declared}`;
    fs.writeFileSync(path.join(tmp, name), Buffer.alloc(kind === "small" ? 4000 : 200_000, 1));
    const err = await collect(layerTar([hostFile(name, declared)])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidLayerEntryError);
    expect((err as Error).message).toContain(message);
  });

  it("refuses a large file that ends early in a chunk read ahead of the writer", async () => {
    // 1 MiB reads with the next in flight: the short one is the fourth, read while the third is
    // written; its error must still reach the writer.
    const size = 3 * 1024 * 1024 + 5;
    fs.writeFileSync(path.join(tmp, "short"), Buffer.alloc(size, 2));
    const err = await collect(layerTar([hostFile("short", size + 4096)])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidLayerEntryError);
    expect((err as Error).message).toContain(`got ${size} bytes, expected ${size + 4096}`);
  });

  it("closes a large file whose tar is abandoned with a read in flight", async () => {
    fs.writeFileSync(path.join(tmp, "abandoned"), Buffer.alloc(4 * 1024 * 1024, 3));
    const fds = (): number => fs.readdirSync("/proc/self/fd").length;
    const before = fds();
    const tar = layerTar([hostFile("abandoned")]);
    let seen = 0;
    for await (const chunk of tar) {
      seen += (chunk as Buffer).length;
      if (seen > 1024 * 1024) break; // destroys the stream with the next chunk's read started
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fds()).toBe(before);
  });
});
