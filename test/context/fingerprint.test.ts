import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { setAttributeSync } from "@napi-rs/xattr";
import { openContext } from "../../src/context/build-context";
import type { ContextFile } from "../../src/context/context-file";
import { fingerprintFiles } from "../../src/context/fingerprint";
import * as xattrModule from "../../src/rootfs/xattrs";
import { makeTemp, removeTemp, settle, writeTree } from "./tree-fixture";

describe("BuildContext.fingerprint", () => {
  let base: string;
  let dir: string;
  let cacheDir: string;

  beforeEach(async () => {
    base = makeTemp();
    dir = path.join(base, "ctx");
    cacheDir = path.join(base, "cache");
    writeTree(dir, {
      ".dockerignore": "*.log\n",
      "src/a.txt": "alpha",
      "src/b.txt": "bravo",
      "src/nested/c.txt": "charlie",
      "other/d.txt": "delta",
      "debug.log": "noise",
      link: { link: "src/a.txt" },
    });
    await settle();
  });
  afterEach(() => removeTemp(base));

  /** Fingerprint of `patterns` from a freshly opened context (as a new build would), with its stats. */
  async function fp(patterns: string[], contextDir = dir) {
    const ctx = await openContext(contextDir, { cacheDir });
    const digest = await ctx.fingerprint(ctx.resolveSources(patterns));
    return { digest, stats: ctx.stats() };
  }

  test("is a sha256 digest; the cold run reads every selected file once", async () => {
    const { digest, stats } = await fp(["."]);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // .dockerignore, src/a.txt, src/b.txt, src/nested/c.txt, other/d.txt; not debug.log.
    expect(stats.filesHashed).toBe(5);
    expect(stats.bytesRead).toBe("*.log\n".length + 5 + 5 + 7 + 5);
    expect(stats.cacheHits).toBe(0);
  });

  test("a warm re-fingerprint reads no file content", async () => {
    const cold = await fp(["."]);
    const warm = await fp(["."]);
    expect(warm.digest).toBe(cold.digest);
    expect(warm.stats).toEqual({ filesHashed: 0, bytesRead: 0, cacheHits: 5, xattrLists: 0 });
  });

  test("only files some source selects are hashed", async () => {
    const { stats } = await fp(["src/a.txt"]);
    expect(stats).toEqual({ filesHashed: 1, bytesRead: 5, cacheHits: 0, xattrLists: 1 });
  });

  test("touching a file misses the stat cache and re-hashes it, but the fingerprint stays", async () => {
    const cold = await fp(["src"]);
    const later = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dir, "src/a.txt"), later, later);
    await settle();
    const touched = await fp(["src"]);
    expect(touched.digest).toBe(cold.digest);
    expect(touched.stats).toEqual({ filesHashed: 1, bytesRead: 5, cacheHits: 2, xattrLists: 1 });
  });

  test("editing a file changes the fingerprint of sources that include it, and only those", async () => {
    const src = await fp(["src"]);
    const file = await fp(["src/a.txt"]);
    const other = await fp(["other"]);
    fs.writeFileSync(path.join(dir, "src/a.txt"), "ALPHA");
    await settle();
    expect((await fp(["src"])).digest).not.toBe(src.digest);
    expect((await fp(["src/a.txt"])).digest).not.toBe(file.digest);
    expect((await fp(["other"])).digest).toBe(other.digest);
  });

  test("editing an unselected or an ignored file changes nothing", async () => {
    const src = await fp(["src"]);
    const all = await fp(["."]);
    fs.writeFileSync(path.join(dir, "other/d.txt"), "DELTA");
    fs.writeFileSync(path.join(dir, "debug.log"), "more noise");
    fs.writeFileSync(path.join(dir, "new.log"), "new noise");
    await settle();
    expect((await fp(["src"])).digest).toBe(src.digest);
    const after = await fp(["."]);
    expect(after.digest).not.toBe(all.digest); // other/d.txt is part of "."
    fs.writeFileSync(path.join(dir, "other/d.txt"), "delta");
    await settle();
    expect((await fp(["."])).digest).toBe(all.digest);
  });

  test("renaming or moving the context directory changes nothing (and keeps the stat cache)", async () => {
    const before = await fp(["."]);
    const moved = path.join(base, "elsewhere", "renamed");
    fs.mkdirSync(path.dirname(moved));
    fs.renameSync(dir, moved);
    const after = await fp(["."], moved);
    expect(after.digest).toBe(before.digest);
    expect(after.stats.filesHashed).toBe(0);
  });

  test("a copy of the context elsewhere has the same fingerprint", async () => {
    const before = await fp(["."]);
    const copy = path.join(base, "copy");
    fs.cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
    expect((await fp(["."], copy)).digest).toBe(before.digest);
  });

  test("a mode change changes it", async () => {
    const before = await fp(["src"]);
    fs.chmodSync(path.join(dir, "src/b.txt"), 0o600);
    expect((await fp(["src"])).digest).not.toBe(before.digest);
    fs.chmodSync(path.join(dir, "src/b.txt"), 0o644);
    expect((await fp(["src"])).digest).toBe(before.digest);
  });

  test("a symlink's target is part of it; a followed source symlink hashes its target's content", async () => {
    const all = await fp(["."]);
    const viaLink = await fp(["link"]);
    fs.unlinkSync(path.join(dir, "link"));
    fs.symlinkSync("src/b.txt", path.join(dir, "link"));
    expect((await fp(["."])).digest).not.toBe(all.digest);
    expect((await fp(["link"])).digest).not.toBe(viaLink.digest);
  });

  test("paths are destination-relative: same files under another name differ, a renamed parent dir does not", async () => {
    const src = await fp(["src"]);
    fs.cpSync(path.join(dir, "src"), path.join(dir, "copied"), { recursive: true });
    expect((await fp(["copied"])).digest).toBe(src.digest);
    const a = await fp(["src/a.txt"]);
    fs.copyFileSync(path.join(dir, "src/a.txt"), path.join(dir, "src/z.txt"));
    expect((await fp(["src/z.txt"])).digest).not.toBe(a.digest);
  });

  test("renaming a file inside a selected directory changes it", async () => {
    const before = await fp(["src"]);
    fs.renameSync(path.join(dir, "src/b.txt"), path.join(dir, "src/b2.txt"));
    expect((await fp(["src"])).digest).not.toBe(before.digest);
  });

  test("source order matters (a later source overwrites an earlier one)", async () => {
    const ab = await fp(["src/a.txt", "src/b.txt"]);
    const ba = await fp(["src/b.txt", "src/a.txt"]);
    expect(ab.digest).not.toBe(ba.digest);
  });

  test("a file's content is hashed once per build even when several sources select it", async () => {
    const ctx = await openContext(dir);
    await ctx.fingerprint(ctx.resolveSources(["src", "src/a.txt", "src/*.txt"]));
    expect(ctx.stats().filesHashed).toBe(3);
  });
});

describe("stat cache persistence", () => {
  let base: string;
  let dir: string;
  let cacheDir: string;

  beforeEach(async () => {
    base = makeTemp();
    dir = path.join(base, "ctx");
    cacheDir = path.join(base, "cache");
    writeTree(dir, { "a.txt": "alpha", "b.txt": "bravo" });
    await settle();
  });
  afterEach(() => removeTemp(base));

  async function run() {
    const ctx = await openContext(dir, { cacheDir });
    const digest = await ctx.fingerprint(ctx.resolveSources(["."]));
    return { digest, stats: ctx.stats() };
  }

  /** The stat cache's file (the selection memo's beside it is left out). */
  function cacheFiles(): string[] {
    const d = path.join(cacheDir, "context-stat");
    return fs.existsSync(d)
      ? fs
          .readdirSync(d)
          .filter((f) => !f.endsWith(".selections.json"))
          .map((f) => path.join(d, f))
      : [];
  }

  /** Removes the selection memo, so that the next run asks the stat cache file by file. */
  function forgetSelections(): void {
    const d = path.join(cacheDir, "context-stat");
    for (const f of fs.readdirSync(d)) if (f.endsWith(".selections.json")) fs.rmSync(path.join(d, f));
  }

  test("is one file per context, written atomically (no temporary files left)", async () => {
    await run();
    const files = cacheFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.json$/);
    expect(JSON.parse(fs.readFileSync(files[0], "utf8")).entries).toHaveLength(2);
  });

  test.each([
    ["garbage", "not json at all {"],
    ["truncated", (text: string) => text.slice(0, text.length / 2)],
    ["tampered hash", (text: string) => text.replace(/"[0-9a-f]{16}"/, '"0000000000000000"')],
    ["wrong version", (text: string) => text.replace('"version":3', '"version":99')],
    ["empty", ""],
  ])("a corrupt cache file (%s) is ignored and rebuilt", async (_name, corrupt) => {
    const cold = await run();
    const [file] = cacheFiles();
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, typeof corrupt === "string" ? corrupt : corrupt(text));
    forgetSelections();
    const again = await run();
    expect(again.digest).toBe(cold.digest);
    expect(again.stats.filesHashed).toBe(2);
    expect(again.stats.cacheHits).toBe(0);
    // Rebuilt: the next run is warm again.
    forgetSelections();
    expect((await run()).stats).toEqual({ filesHashed: 0, bytesRead: 0, cacheHits: 2, xattrLists: 0 });
  });

  test("a big cache is not rewritten for a few changed small files; they are hashed again instead", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 4200; i++) many[`many/f${i}.txt`] = `file ${i}`;
    writeTree(dir, many);
    await settle();
    expect((await run()).stats.filesHashed).toBe(4202);
    const [file] = cacheFiles();
    const written = fs.readFileSync(file, "utf8");
    // One changed file among 4,202 (under 1%, a few bytes): not worth writing 4,202 entries.
    fs.writeFileSync(path.join(dir, "many/f7.txt"), "edited");
    await settle();
    const edited = await run();
    expect(edited.stats).toMatchObject({ filesHashed: 1, cacheHits: 4201 });
    expect(fs.readFileSync(file, "utf8")).toBe(written);
    // The selection memo knows the new fingerprint; file by file, the edited one is hashed again.
    expect((await run()).stats).toMatchObject({ filesHashed: 0, cacheHits: 4202 });
    forgetSelections();
    expect((await run()).stats).toMatchObject({ filesHashed: 1, cacheHits: 4201 });
    // More than 1% changed: written, and known from then on. f7 (unwritten) is not hashed again:
    // its chunk of the fingerprint (files f60..f99 and on, in walk order) is in the selection memo.
    for (let i = 100; i < 150; i++) fs.writeFileSync(path.join(dir, `many/f${i}.txt`), `edited ${i}`);
    await settle();
    const more = await run();
    expect(more.stats).toMatchObject({ filesHashed: 50, cacheHits: 4152 });
    expect(more.digest).not.toBe(edited.digest);
    forgetSelections();
    // Known file by file, but for f7, which this write did not look at.
    expect((await run()).stats).toMatchObject({ filesHashed: 1, cacheHits: 4201 });
    expect((await run()).stats).toMatchObject({ filesHashed: 0, cacheHits: 4202 });
  });

  test("a malformed entry in a file whose checksum holds is not trusted; the others are", async () => {
    const cold = await run();
    const [file] = cacheFiles();
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { entries: string[][] };
    doc.entries[0][2] = "not a hash"; // entries are checked when looked up, not at load
    const body = JSON.stringify(doc.entries);
    const count = doc.entries.length;
    const checksum = createHash("sha256").update(`${count}\n${body}`).digest("hex");
    fs.writeFileSync(file, `{"version":3,"checksum":"${checksum}","count":${count},"entries":${body}}\n`);
    forgetSelections();
    const again = await run();
    expect(again.digest).toBe(cold.digest);
    expect(again.stats).toMatchObject({ filesHashed: 1, cacheHits: 1 });
  });

  test("a rebuild with unchanged stats is answered by the selection memo, without the stat cache", async () => {
    const cold = await run();
    const [file] = cacheFiles();
    fs.writeFileSync(file, "not json at all {"); // the memo alone must answer
    const warm = await run();
    expect(warm.digest).toBe(cold.digest);
    expect(warm.stats).toEqual({ filesHashed: 0, bytesRead: 0, cacheHits: 2, xattrLists: 0 });
    expect(fs.readFileSync(file, "utf8")).toBe("not json at all {");
  });

  test.each([
    ["touched", (p: string) => fs.utimesSync(p, new Date(), new Date(Date.now() - 5000))],
    ["chmod", (p: string) => fs.chmodSync(p, 0o600)],
    ["same-size edit", (p: string) => fs.writeFileSync(p, "ALPHA")],
  ])("a %s file misses the selection memo and is looked at again", async (_name, change) => {
    const cold = await run();
    await settle();
    change(path.join(dir, "a.txt"));
    await settle();
    const again = await run();
    expect(again.stats.filesHashed).toBe(1);
    if (_name === "touched") expect(again.digest).toBe(cold.digest);
    else expect(again.digest).not.toBe(cold.digest);
  });

  test("a corrupt selection memo is ignored and rebuilt", async () => {
    const cold = await run();
    const d = path.join(cacheDir, "context-stat");
    const memo = fs.readdirSync(d).find((f) => f.endsWith(".selections.json")) as string;
    const text = fs.readFileSync(path.join(d, memo), "utf8");
    // A well-formed but forged fingerprint: the checksum no longer holds.
    fs.writeFileSync(
      path.join(d, memo),
      text.replace(/"sha256:[0-9a-f]{64}"\]/, `"sha256:${"0".repeat(64)}"]`),
    );
    const again = await run();
    expect(again.digest).toBe(cold.digest);
    expect(again.stats).toMatchObject({ filesHashed: 0, cacheHits: 2 });
  });

  test("a touched file re-derives its own chunk of the fingerprint only, not the whole selection", async () => {
    const tree: Record<string, string> = {};
    for (let d = 0; d < 6; d++) for (let i = 0; i < 300; i++) tree[`d${d}/f${i}.txt`] = `file ${d}/${i}`;
    writeTree(dir, tree);
    await settle();
    const cold = await run();
    expect(cold.stats.filesHashed).toBe(1802);
    // Without the stat cache every file looked at is hashed: the count shows what was looked at.
    const [file] = cacheFiles();
    fs.writeFileSync(file, "not json at all {");
    fs.utimesSync(path.join(dir, "d3/f7.txt"), new Date(), new Date(Date.now() - 5000));
    await settle();
    const touched = await run();
    expect(touched.digest).toBe(cold.digest);
    // d3's chunk: each directory of >= 256 files ends one.
    expect(touched.stats).toMatchObject({ filesHashed: 300, cacheHits: 1502 });
    // An edit changes the fingerprint the same way a full derivation does.
    fs.writeFileSync(path.join(dir, "d5/f1.txt"), "edited");
    await settle();
    const edited = await run();
    expect(edited.stats.filesHashed).toBe(300);
    forgetSelections();
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const full = await run();
    expect(full.stats.filesHashed).toBe(1802);
    expect(full.digest).toBe(edited.digest);
    expect(full.digest).not.toBe(cold.digest);
  });

  test("a forged chunk digest in the selection memo fails its checksum and is not used", async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 600; i++) tree[`d${i % 2}/f${i}.txt`] = `file ${i}`;
    writeTree(dir, tree);
    await settle();
    const cold = await run();
    const d = path.join(cacheDir, "context-stat");
    const memo = path.join(d, fs.readdirSync(d).find((f) => f.endsWith(".selections.json")) as string);
    const doc = JSON.parse(fs.readFileSync(memo, "utf8")) as { chunks: string[][] };
    expect(doc.chunks.length).toBeGreaterThan(1);
    const forged = doc.chunks.map(([k]) => `["${k}","${"0".repeat(64)}"]`).join(",");
    fs.writeFileSync(
      memo,
      fs.readFileSync(memo, "utf8").replace(/"chunks":\[.*\]\}/, `"chunks":[${forged}]}`),
    );
    fs.utimesSync(path.join(dir, "d0/f0.txt"), new Date(), new Date(Date.now() - 5000));
    await settle();
    const again = await run();
    expect(again.digest).toBe(cold.digest);
  });

  test("a selection with a file changed within the racy window is not remembered", async () => {
    fs.writeFileSync(path.join(dir, "a.txt"), "fresh");
    await run(); // a.txt is too fresh to trust: neither cached nor remembered
    const d = path.join(cacheDir, "context-stat");
    expect(fs.readdirSync(d).some((f) => f.endsWith(".selections.json"))).toBe(false);
  });

  test("a file changed just before hashing is not trusted next time (racy stat)", async () => {
    await run();
    fs.writeFileSync(path.join(dir, "a.txt"), "ALPHA"); // same size, fresh mtime/ctime
    const first = await run();
    expect(first.stats.filesHashed).toBe(1);
    // Hashed within the racy window, so it was not stored: hashed again.
    const second = await run();
    expect(second.stats.filesHashed).toBe(1);
    expect(second.digest).toBe(first.digest);
    await settle();
    await run();
    expect((await run()).stats.filesHashed).toBe(0);
  });

  test("a file that changes between its lstat and its read is hashed as read but not cached", async () => {
    const ctx = await openContext(dir, { cacheDir });
    const files = await ctx.files(ctx.resolveSources(["a.txt"]));
    fs.appendFileSync(path.join(dir, "a.txt"), " and more"); // after the walk's lstat
    const fresh = await openContext(dir);
    const [now] = await fresh.files(fresh.resolveSources(["a.txt"]));
    expect(await files[0].contentHash()).toBe(await now.contentHash());
    await ctx.saveStatCache();
    await settle();
    // Nothing was stored for a.txt, so a new build hashes it again.
    expect((await run()).stats).toMatchObject({ filesHashed: 2, cacheHits: 0 });
  });

  test("entries are found in the file's text: names with brackets, quotes, backslashes; summaries of two xattrs", async () => {
    const names = ["x]y.txt", 'q"u["o,te.txt', "back\\slash].txt", "[b].txt", "uni\u00e9.txt"];
    for (const n of names) fs.writeFileSync(path.join(dir, n), `content of ${n}`);
    setAttributeSync(path.join(dir, "a.txt"), "user.one", Buffer.from("1"));
    setAttributeSync(path.join(dir, "a.txt"), "user.two", Buffer.from("2"));
    await settle();
    const cold = await run();
    expect(cold.stats.filesHashed).toBe(names.length + 2);
    expect(fs.readFileSync(cacheFiles()[0], "utf8")).toContain('\\"],[\\"'); // a summary's "],["
    forgetSelections();
    const warm = await run();
    expect(warm.digest).toBe(cold.digest);
    expect(warm.stats).toEqual({ filesHashed: 0, bytesRead: 0, cacheHits: names.length + 2, xattrLists: 0 });
  });

  test("a count in the header that is not the entries' fails the checksum", async () => {
    const cold = await run();
    const [file] = cacheFiles();
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"count":2,', '"count":3,'));
    forgetSelections();
    const again = await run();
    expect(again.digest).toBe(cold.digest);
    expect(again.stats).toMatchObject({ filesHashed: 2, cacheHits: 0 });
  });

  test("an xattr set on a cached file changes its fingerprint; the warm run after lists no xattrs", async () => {
    const cold = await run();
    setAttributeSync(path.join(dir, "a.txt"), "user.note", Buffer.from("1"));
    await settle();
    const changed = await run();
    expect(changed.digest).not.toBe(cold.digest);
    // The ctime moved, so the stat cache missed and a.txt was read and listed again.
    expect(changed.stats).toMatchObject({ filesHashed: 1, cacheHits: 1, xattrLists: 1 });
    const warm = await run();
    expect(warm.digest).toBe(changed.digest);
    expect(warm.stats).toEqual({ filesHashed: 0, bytesRead: 0, cacheHits: 2, xattrLists: 0 });
    // What the cache summarised is what a listing gives.
    const uncached = await openContext(dir);
    expect(await uncached.fingerprint(uncached.resolveSources(["."]))).toBe(warm.digest);
    // A COPY after a warm fingerprint lists the xattrs of a.txt only: the cache says the other
    // regular file has none.
    const copy = await openContext(dir, { cacheDir });
    const sources = copy.resolveSources(["."]);
    await copy.fingerprint(sources);
    const listed = jest.spyOn(xattrModule, "listXattrs");
    try {
      const values = (await copy.files(sources)).map((f) => [f.path, f.xattrs?.()]);
      expect(values).toContainEqual(["a.txt", { "user.note": Buffer.from("1") }]);
      expect(values.filter(([, v]) => v !== undefined)).toHaveLength(1);
      const regular = listed.mock.calls.map(([host]) => host).filter((h) => fs.lstatSync(h).isFile());
      expect(regular).toEqual([path.join(dir, "a.txt")]);
    } finally {
      listed.mockRestore();
    }
  });

  test("without a cache dir nothing is persisted", async () => {
    const ctx = await openContext(dir);
    await ctx.fingerprint(ctx.resolveSources(["."]));
    expect(fs.existsSync(cacheDir)).toBe(false);
  });
});

describe("fingerprintFiles with many files hashed asynchronously", () => {
  /** n fake regular files; `known` gives their hashes synchronously, else after a random delay. */
  function fakes(n: number, known: boolean): ContextFile[] {
    let seed = 3;
    return Array.from({ length: n }, (_, i) => {
      const hash = createHash("sha256").update(String(i)).digest("hex").slice(0, 16);
      // The first files answer last: a batch not waited for would miss them.
      const delay = i < 50 ? 40 : (seed = (seed * 48271) % 0x7fffffff) % 3;
      const file: ContextFile = {
        source: 0,
        path: `d${Math.floor(i / 300)}/f${i}`,
        contextPath: `d${Math.floor(i / 300)}/f${i}`,
        type: "file",
        mode: 0o644,
        size: 1,
        uid: 0,
        gid: 0,
        mtimeMs: 0,
        hostPath: "/nonexistent",
        contentHash: () =>
          delay === 0 ? Promise.resolve(hash) : new Promise((r) => setTimeout(() => r(hash), delay)),
        open: () => {
          throw new Error("not read");
        },
      };
      if (known) file.knownContentHash = () => hash;
      return file;
    });
  }

  test("gets every hash across batches: the same digest as hashes known up front", async () => {
    // 5,000 files: several of fingerprintFiles's batches of in-flight hashes, out of order.
    const viaPromises = await fingerprintFiles(fakes(5000, false));
    expect(viaPromises).toBe(await fingerprintFiles(fakes(5000, true)));
    expect(viaPromises).not.toBe(await fingerprintFiles(fakes(4999, true)));
  });
});
