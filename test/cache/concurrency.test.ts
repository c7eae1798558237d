import * as fs from "node:fs";
import * as path from "node:path";
import { CacheStore } from "../../src/cache/cache-store";
import { processStartTime } from "../../src/cache/process-liveness";
import { StoreLock } from "../../src/cache/store-lock";
import { makeTempDir } from "./support/tmp-cache";
import { runWorker, startWorker } from "./support/worker";

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => (tmp = makeTempDir()));
afterEach(() => tmp.cleanup());

async function verifyAll(store: CacheStore): Promise<void> {
  for (const blob of await store.blobs.list()) expect(await store.blobs.verify(blob.digest)).toBe("ok");
  expect(await store.blobs.listTemps()).toEqual([]);
}

describe("several processes on one cache dir", () => {
  test("two builds putting the same blobs both succeed and corrupt nothing", async () => {
    const [a, b] = await Promise.all([
      runWorker(["put-same", tmp.dir, "20"]),
      runWorker(["put-same", tmp.dir, "20"]),
    ]);
    const da = JSON.parse(a) as string[];
    expect(JSON.parse(b)).toEqual(da);
    const store = await CacheStore.open(tmp.dir);
    expect((await store.blobs.list()).length).toBe(new Set(da).size);
    await verifyAll(store);
    expect(new Set(da).size).toBe(20);
    expect(await store.records.list()).toHaveLength(20);
    expect(await store.records.get("key-same-0")).toMatchObject({ layer: { digest: da[0] } });
  });

  test("two builds putting different blobs both keep all of theirs", async () => {
    const [a, b] = await Promise.all([
      runWorker(["put-distinct", tmp.dir, "15", "left"]),
      runWorker(["put-distinct", tmp.dir, "15", "right"]),
    ]);
    const all = [...(JSON.parse(a) as string[]), ...(JSON.parse(b) as string[])];
    const store = await CacheStore.open(tmp.dir);
    expect((await store.blobs.list()).map((x) => x.digest).sort()).toEqual([...new Set(all)].sort());
    expect(new Set(all).size).toBe(30);
    expect(await store.records.list()).toHaveLength(30);
    await verifyAll(store);
  });

  test("kill -9 mid-put: no partial blob is visible; the next open removes the dead writer's temp", async () => {
    const child = startWorker(["put-slow", tmp.dir, String(64 * 1024 * 1024)]);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => d.toString().includes("writing") && resolve());
      child.on("exit", () => reject(new Error("worker exited before writing")));
    });
    const blobDir = path.join(tmp.dir, "blobs", "sha256");
    // While the writer lives, opening the store keeps its temp file.
    await CacheStore.open(tmp.dir, { staleTempAgeMs: 0 });
    const live = fs.readdirSync(blobDir);
    expect(live).toHaveLength(1);
    expect(live[0]).toMatch(new RegExp(`^\\.tmp-${child.pid}-\\d+-[0-9a-f]{12}$`));
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGKILL");
    await exited;
    expect(fs.readdirSync(blobDir)).toEqual(live); // the killed writer left it behind

    // The writer is dead (its pid and start time say so): the next open removes it at once.
    const store = await CacheStore.open(tmp.dir);
    expect(await store.blobs.list()).toEqual([]);
    expect(await store.blobs.listTemps()).toEqual([]);
    expect(fs.readdirSync(blobDir)).toEqual([]);
  });
});

describe("store lock", () => {
  test("serializes holders in one process", async () => {
    const lock = new StoreLock(path.join(tmp.dir, "lock"));
    const order: string[] = [];
    const hold = (name: string) =>
      lock.withLock(async () => {
        order.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 20));
        order.push(`${name}-`);
      });
    await Promise.all([hold("a"), hold("b"), hold("c")]);
    expect(order).toEqual(["a+", "a-", "b+", "b-", "c+", "c-"]);
    expect(fs.existsSync(path.join(tmp.dir, "lock"))).toBe(false);
  });

  test("a lock left by a dead process is broken; a live holder's is not", async () => {
    const file = path.join(tmp.dir, "lock");
    // A pid that is not running: spawn a process and wait for it to exit.
    const dead = startWorker(["nope"]);
    const pid = dead.pid as number;
    await new Promise((r) => dead.on("exit", r));
    fs.writeFileSync(file, JSON.stringify({ pid, start: "1", nonce: "dead" }));
    const lock = new StoreLock(file, { timeoutMs: 2000 });
    await expect(lock.withLock(async () => "got it")).resolves.toBe("got it");

    // Held by a live process (our parent, with its real start time): waits, then times out.
    const live = { pid: process.ppid, start: processStartTime(process.ppid), nonce: "live" };
    fs.writeFileSync(file, JSON.stringify(live));
    const err = await new StoreLock(file, { timeoutMs: 150 })
      .withLock(async () => 1)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CACHE_LOCK_TIMEOUT" });
    expect((err as Error).message).toContain(String(process.ppid));
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual(live);

    // Same pid but another start time: the pid was reused, the holder is dead.
    fs.writeFileSync(file, JSON.stringify({ ...live, start: "12345" }));
    await expect(new StoreLock(file, { timeoutMs: 2000 }).withLock(async () => 2)).resolves.toBe(2);
    expect(fs.existsSync(file)).toBe(false);
  });
});
