import * as crypto from "node:crypto";
import { build } from "../../src/engine/build";
import { CacheStore } from "../../src/cache";
import { startRegistry, type TestRegistry } from "../support/registry";
import { startFaultProxy, type FaultProxy } from "../registry/fault-proxy";
import { rm, tempTree } from "./helpers";

/**
 * `--cache-from type=registry` through a fault-injection proxy: the layers of the image a build
 * hit remotely are fetched at its end, and one that fails stops the others, so the build fails
 * with nothing still writing into its store.
 */
let registry: TestRegistry;
let proxy: FaultProxy;
beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.port);
});
afterAll(async () => {
  await proxy.stop();
  await registry.stop();
});

it("a tampered layer stops the download still running: the build fails, no temp file is left", async () => {
  const ctx = tempTree({
    Dockerfile: "FROM scratch\nCOPY a.bin /a.bin\nCOPY b.bin /b.bin\n",
    "a.bin": crypto.randomBytes(200_000),
    "b.bin": crypto.randomBytes(200_000),
  });
  const machineA = tempTree({}, "tsbuild-cache-a-");
  const machineB = tempTree({}, "tsbuild-cache-b-");
  try {
    const a = await build({
      context: ctx,
      cacheDir: machineA,
      cacheTo: [{ type: "registry", ref: `${registry.host}/tsbuild/faults:main`, mode: "max" }],
    });
    const [first, second] = a.steps.map((s) => s.layer?.digest ?? "");
    // The second layer drips (a byte per 200 ms: minutes) while the first arrives tampered.
    proxy.faults.push({
      match: (_m, p) => p.endsWith(`/blobs/${second}`),
      action: { kind: "drip", intervalMs: 200 },
    });
    proxy.faults.push({ match: (_m, p) => p.endsWith(`/blobs/${first}`), action: { kind: "tamper" } });
    const started = Date.now();
    await expect(
      build({
        context: ctx,
        cacheDir: machineB,
        cacheFrom: [{ type: "registry", ref: `${proxy.host}/tsbuild/faults:main` }],
      }),
    ).rejects.toThrow(first);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(proxy.log.some((l) => l.endsWith(`/blobs/${second}`))).toBe(true);
    // A download that outlived the failed build would have written its first bytes by now.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const store = await CacheStore.open(machineB);
    expect(await store.blobs.listTemps()).toEqual([]);
    expect(await store.blobs.has(first)).toBe(false);
    expect(await store.blobs.has(second)).toBe(false);
  } finally {
    rm(ctx, machineA, machineB);
  }
});
