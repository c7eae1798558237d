import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { CacheStore } from "../../src/cache/cache-store";
import { sha256Digest } from "../../src/cache/digest";
import { diskUsage } from "../../src/cache/disk-usage";
import { prune } from "../../src/cache/prune";
import { sweepDestination, tempName, tempOwner } from "../../src/cache/temp-files";
import { openTempStore, type TempDir } from "./support/store";
import { makeTempDir } from "./support/tmp-cache";
import { startWorker } from "./support/worker";

/**
 * The cache entries besides blobs, records and the index: unpacked layers, cache mounts, build
 * scratch dirs and everything written under a temporary name — counted by du, freed by prune.
 */
let tmp: TempDir;
let store: CacheStore;
beforeEach(async () => ({ tmp, store } = await openTempStore()));
afterEach(() => tmp.cleanup());

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const r = spawnSync("true");
  if (r.pid === undefined) throw new Error("spawn true failed");
  return r.pid;
}

/** A temp name as the dead process `pid` would have written it. */
function deadTempName(base: string, pid = deadPid()): string {
  return tempName(base).replace(/\.tmp-\d+-\d+-/, `.tmp-${pid}-0-`);
}

/** A blob and a layer directory unpacked "from" it, with `bytes` of content. */
async function unpackedLayer(content: string, bytes: number): Promise<{ blob: string; dir: string }> {
  const { digest } = await store.blobs.put(Readable.from([Buffer.from(content)]));
  const diffId = sha256Digest(`diff of ${content}`);
  const dir = await store.layers.ensure(diffId, digest, async (into) => {
    fs.mkdirSync(path.join(into, "bin"));
    fs.writeFileSync(path.join(into, "bin", "tool"), Buffer.alloc(bytes, 1));
    fs.symlinkSync("tool", path.join(into, "bin", "alias"));
  });
  return { blob: digest, dir };
}

function age(file: string, ms: number): void {
  const t = new Date(Date.now() - ms);
  fs.utimesSync(file, t, t);
}

function duSb(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

describe("temp names", () => {
  test("carry the writer's pid and start time", () => {
    const owner = tempOwner(tempName("index.json"), "index.json");
    expect(owner?.pid).toBe(process.pid);
    expect(owner?.start).toMatch(/^\d+$/);
    expect(tempOwner("index.json.tmp-notes", "index.json")).toBeUndefined();
    expect(tempOwner(".tmp-12-oldscheme")).toBeNull();
  });

  test("open() removes what dead writers left in every entry, keeps live writers' and real entries", async () => {
    const deadFiles = [
      path.join(store.paths.root, deadTempName("index.json")),
      path.join(store.paths.records, deadTempName(`${"a".repeat(64)}.json`)),
      path.join(store.paths.verified, deadTempName("b".repeat(64))),
      path.join(store.paths.context, "context-stat", deadTempName("c.json")),
    ];
    const deadDirs = [
      path.join(store.paths.layers, deadTempName("d".repeat(64))),
      path.join(store.paths.tmp, deadTempName("build")),
    ];
    for (const f of deadFiles) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, "partial");
    }
    for (const d of deadDirs) fs.mkdirSync(path.join(d, "sub"), { recursive: true });
    const mine = path.join(store.paths.layers, tempName("e".repeat(64)));
    fs.mkdirSync(mine);
    const oldScheme = path.join(store.paths.tmp, "build-1-2-abcdef");
    fs.mkdirSync(oldScheme);
    age(oldScheme, 2 * 3600_000);

    await CacheStore.open(tmp.dir);
    for (const p of [...deadFiles, ...deadDirs, oldScheme]) expect([p, fs.existsSync(p)]).toEqual([p, false]);
    expect(fs.existsSync(mine)).toBe(true);
  });

  test("a killed export's temp next to its destination is removed by the next export there", async () => {
    const out = makeTempDir("tsbuild-dest-");
    try {
      const dest = path.join(out.dir, "app.tar");
      const dead = path.join(out.dir, deadTempName("app.tar"));
      const live = path.join(out.dir, tempName("app.tar"));
      const other = path.join(out.dir, deadTempName("other.tar"));
      const users = path.join(out.dir, "app.tar.tmp-keep-me");
      for (const f of [dead, live, other, users]) fs.writeFileSync(f, "x");
      await sweepDestination(dest);
      expect(fs.readdirSync(out.dir).sort()).toEqual(
        [path.basename(live), path.basename(other), path.basename(users)].sort(),
      );
    } finally {
      out.cleanup();
    }
  });
});

describe("unpacked layers", () => {
  test("du counts them; a plain prune frees those whose blob is gone, --all the rest", async () => {
    const kept = await unpackedLayer("kept layer", 5000);
    const orphan = await unpackedLayer("orphan layer", 3000);
    await store.records.put({
      key: "k",
      layer: {
        digest: kept.blob,
        diffId: sha256Digest("x"),
        size: 10,
        mediaType: "application/vnd.oci.image.layer.v1.tar",
      },
    });
    await store.blobs.delete(orphan.blob);
    for (const d of [kept.dir, orphan.dir]) age(`${d}.json`, 3600_000);

    const du = await diskUsage(store);
    expect(du.unpackedLayers.count).toBe(2);
    expect(du.unpackedLayers.bytes).toBeGreaterThan(8000);
    expect(du.orphanedLayers.count).toBe(1);
    expect(du.orphanedLayers.bytes).toBeGreaterThan(3000);
    expect(du.totalBytes).toBe(duSb(tmp.dir));

    const plain = await prune(store);
    expect(plain.layersRemoved).toBe(1);
    expect(fs.existsSync(orphan.dir)).toBe(false);
    expect(fs.existsSync(`${orphan.dir}.json`)).toBe(false);
    expect(fs.existsSync(kept.dir)).toBe(true);

    const all = await prune(store, { all: true });
    expect(all.layersRemoved).toBe(1);
    expect(fs.existsSync(kept.dir)).toBe(false);
    expect((await diskUsage(store)).unpackedLayers).toEqual({ count: 0, bytes: 0 });
  });

  test("a layer a live build used is kept even by prune --all", async () => {
    const old = await unpackedLayer("old", 100);
    age(`${old.dir}.json`, 3600_000);
    const session = await store.beginBuild();
    try {
      const used = await unpackedLayer("used by the live build", 100);
      const result = await prune(store, { all: true });
      expect(result.layersRemoved).toBe(1);
      expect(fs.existsSync(old.dir)).toBe(false);
      expect(fs.existsSync(used.dir)).toBe(true);
    } finally {
      await session.end();
    }
  });
});

describe("cache mounts", () => {
  test("du counts them; only prune --all frees them, and not while a build runs", async () => {
    const dir = await store.mounts.checkout("/root/.cache/go-build");
    expect(dir).toBe(store.mounts.path("/root/.cache/go-build"));
    fs.writeFileSync(path.join(dir, "object"), Buffer.alloc(4096, 7));
    age(dir, 3600_000);
    const du = await diskUsage(store);
    expect(du.cacheMounts.count).toBe(1);
    expect(du.cacheMounts.bytes).toBeGreaterThanOrEqual(4096);

    expect((await prune(store)).mountsRemoved).toBe(0);
    const session = await store.beginBuild();
    try {
      expect((await prune(store, { all: true })).mountsRemoved).toBe(0);
    } finally {
      await session.end();
    }
    const all = await prune(store, { all: true });
    expect(all.mountsRemoved).toBe(1);
    expect(all.bytesFreed).toBeGreaterThanOrEqual(4096);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe("build scratch dirs", () => {
  test("named after the build's process; a killed build's is removed by the next open", async () => {
    const child = startWorker(["build-temp", tmp.dir]);
    const dir = await new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => resolve(d.toString().trim()));
      child.on("exit", () => reject(new Error("child exited early")));
    });
    expect(path.basename(dir)).toMatch(new RegExp(`^build\\.tmp-${child.pid}-\\d+-[0-9a-f]{12}$`));
    await CacheStore.open(tmp.dir);
    expect(fs.existsSync(dir)).toBe(true); // its build is alive
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGKILL");
    await exited;
    await CacheStore.open(tmp.dir);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
