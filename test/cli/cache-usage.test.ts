import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import { startRegistry, type TestRegistry } from "../support/registry";
import { cli, rm, tempDir } from "./helpers";

/**
 * `du` and `prune` see every byte of the cache dir: after a build on a pulled base image with a
 * RUN cache mount (so the cache holds blobs, records, unpacked base layers, a cache mount, stat
 * caches, registry refs), `du --json` accounts for what `du -sb` finds, and `prune --all` frees it.
 */
let registry: TestRegistry;
let ctx: string;
let cache: string;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry.stop();
});
beforeEach(() => {
  ctx = tempDir("tsbuild-cli-usage-ctx-");
  cache = tempDir("tsbuild-cli-usage-cache-");
});
afterEach(() => rm(ctx, cache));

function duSb(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

interface UsageJson {
  dir: string;
  totalBytes: number;
  other: { bytes: number };
  unpackedLayers: { count: number; bytes: number };
  cacheMounts: { count: number; bytes: number };
  blobs: { count: number; bytes: number };
}

it("du --json accounts for >= 95% of du -sb; prune --all leaves < 1 MB", async () => {
  fs.copyFileSync("/bin/busybox", path.join(ctx, "busybox"));
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  const baseRef = `${registry.host}/tsbuild/usage-base:1`;
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
  );
  // The base is built in another cache and pushed: this cache only ever pulls it.
  const baseCache = tempDir("tsbuild-cli-usage-base-");
  try {
    await build({ context: ctx, cacheDir: baseCache, tags: [baseRef], outputs: [{ type: "registry" }] });
  } finally {
    rm(baseCache);
  }
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    `FROM ${baseRef}\n` +
      "RUN --mount=type=cache,target=/var/cache/app dd if=/dev/urandom of=/var/cache/app/data bs=1024 count=600 && echo done > /done\n",
  );
  const built = await cli("--progress", "plain", "--cache-dir", cache, ctx);
  expect(built.status).toBe(0);

  const r = await cli("du", "--json", "--cache-dir", cache);
  expect(r.status).toBe(0);
  const du = JSON.parse(r.stdout) as UsageJson;
  const onDisk = duSb(cache);
  // The base's two layers, stacked under the RUN, and the RUN's upper dir, kept as its layer's.
  expect(du.unpackedLayers.count).toBe(3);
  expect(du.cacheMounts.count).toBe(1);
  expect(du.cacheMounts.bytes).toBeGreaterThanOrEqual(600 * 1024);
  // Every byte is counted, and at least 95% of them under a named part (not "other").
  expect(Math.abs(du.totalBytes - onDisk)).toBeLessThanOrEqual(onDisk * 0.01);
  expect(du.totalBytes - du.other.bytes).toBeGreaterThanOrEqual(0.95 * onDisk);

  const table = await cli("du", "--cache-dir", cache);
  expect(table.stdout).toMatch(/^Unpacked layers\s+3\s+\S+B\s+prune --all$/m);
  expect(table.stdout).toMatch(/^Cache mounts\s+1\s+\S+B\s+prune --all$/m);

  // Prune keeps what was used within the last second (a build may be starting): let it pass.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const plain = await cli("prune", "-f", "--cache-dir", cache);
  expect(plain.status).toBe(0);
  // The pulled base's blobs were unreferenced, so their unpacked layers went with them; only
  // --all frees cache mounts.
  expect(plain.stdout).toMatch(/, 2 unpacked layer\(s\), 0 cache mount\(s\)/);
  expect(fs.readdirSync(path.join(cache, "mounts"))).toHaveLength(1);
  const all = await cli("prune", "-f", "--all", "--cache-dir", cache);
  expect(all.status).toBe(0);
  // --all also drops the RUN's record, its blob and the layer directory made of its upper dir.
  expect(all.stdout).toMatch(/, 1 unpacked layer\(s\), 1 cache mount\(s\)/);
  expect(duSb(cache)).toBeLessThan(1024 * 1024);
}, 120_000);
