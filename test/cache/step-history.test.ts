import * as fs from "node:fs";
import { CacheStore } from "../../src/cache/cache-store";
import { diskUsage } from "../../src/cache/disk-usage";
import { prune } from "../../src/cache/prune";
import type { StepPosition } from "../../src/cache/step-history";
import { openTempStore, type TempDir } from "./support/store";

/** The step position → last key index (history/): read back, counted by du, freed by prune --all. */
let tmp: TempDir;
let store: CacheStore;
beforeEach(async () => ({ tmp, store } = await openTempStore()));
afterEach(() => tmp.cleanup());

const at = (step: number, platform = "linux/amd64"): StepPosition => ({
  dockerfile: "/src/Dockerfile",
  stage: "build",
  step,
  platform,
});

test("the last key set for a position is read back; other positions and platforms are apart", async () => {
  expect(await store.history.last(at(1))).toBeUndefined();
  await store.history.set(at(1), "key-a");
  await store.history.set(at(1), "key-b");
  await store.history.set(at(2), "key-c");
  await store.history.set(at(1, "linux/arm64"), "key-d");
  expect((await store.history.last(at(1)))?.key).toBe("key-b");
  expect((await store.history.last(at(2)))?.key).toBe("key-c");
  expect((await store.history.last(at(1, "linux/arm64")))?.key).toBe("key-d");
});

test("an unreadable entry reads as never built", async () => {
  await store.history.set(at(1), "key-a");
  fs.writeFileSync(store.history.pathFor(at(1)), "{torn");
  expect(await store.history.last(at(1))).toBeUndefined();
});

test("du counts entries as metadata; a plain prune keeps them, prune --all removes them", async () => {
  const before = await diskUsage(store);
  await store.history.set(at(1), "key-a");
  const size = fs.statSync(store.history.pathFor(at(1))).size;
  const du = await diskUsage(store);
  expect(du.metadata.count).toBe(before.metadata.count + 1);
  expect(du.metadata.bytes).toBe(before.metadata.bytes + size);
  await prune(store, {});
  expect(await store.history.last(at(1))).toBeDefined();
  // Entries written before the prune started are "unused" (as context stat caches are).
  fs.utimesSync(store.history.pathFor(at(1)), new Date(0), new Date(0));
  await prune(store, { all: true });
  expect(await store.history.last(at(1))).toBeUndefined();
});
