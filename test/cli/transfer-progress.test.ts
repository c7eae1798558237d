import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import type { SolveStatus, VertexStatus } from "../../src/cli/progress/rawjson";
import { startRegistry, type TestRegistry } from "../support/registry";
import { buildPlain, cli, expectOk, rm, tempDir, tempTree } from "./helpers";

/**
 * Pull, push and export rows end to end: a base image pushed to a real docker-registry on
 * 127.0.0.1, then a build that pulls it (FROM pinned to the digest pushed, one row per layer with
 * its bytes) and pushes the result, in plain and rawjson progress.
 */
afterAll(() => closeDeflatePool());

let registry: TestRegistry;
let dirs: string[] = [];
let baseRef: string;
let baseDigest: string;
let baseLayers: { digest: string; size: number }[];

/** The manifest a tag points at in the registry, read with skopeo: its digest and layers. */
function rawManifest(ref: string): { digest: string; layers: { digest: string; size: number }[] } {
  const raw = execFileSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`]);
  const doc = JSON.parse(raw.toString("utf8")) as { layers: { digest: string; size: number }[] };
  const digest = `sha256:${crypto.createHash("sha256").update(raw).digest("hex")}`;
  return { digest, layers: doc.layers.map((l) => ({ digest: l.digest, size: l.size })) };
}

/** The plain output's lines of vertex #N whose header matches `header`. */
function block(stderr: string, header: RegExp): string[] {
  const m = new RegExp(`^#(\\d+) ${header.source}`, "m").exec(stderr);
  if (m === null) throw new Error(`no vertex ${String(header)} in:\n${stderr}`);
  const n = m[1] ?? "";
  return stderr.split("\n").filter((l) => l.startsWith(`#${n} `));
}

beforeAll(async () => {
  registry = await startRegistry();
  // Incompressible bytes: the layer's size on the wire is about 300 kB whatever the gzip level.
  const base = tempTree({
    busybox: fs.readFileSync("/bin/busybox"),
    noise: crypto.randomBytes(300_000),
    Dockerfile:
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCOPY noise /noise\n',
  });
  fs.chmodSync(path.join(base, "busybox"), 0o755);
  const cache = tempDir("tsbuild-cli-cache-");
  dirs.push(base, cache);
  baseRef = `${registry.host}/progress/base:1`;
  const pushed = await buildPlain(cache, "-t", baseRef, "--push", base);
  expectOk(pushed);
  const manifest = rawManifest(baseRef);
  baseDigest = manifest.digest;
  baseLayers = manifest.layers;
  // The push's rows: each uploaded layer with its bytes, then the manifest with the digest stored.
  const rows = block(pushed.stderr, /exporting to (?:image|registry)/);
  expect(rows).toContain(`${rows[0]?.split(" ")[0]} pushing layers`);
  for (const l of baseLayers)
    expect(rows.some((r) => new RegExp(` ${l.digest} \\S+B / \\S+B( \\d+\\.\\ds)? done$`).test(r))).toBe(
      true,
    );
  expect(rows.some((r) => / pushing layers( \d+\.\ds)? done$/.test(r))).toBe(true);
  expect(rows.some((r) => r.endsWith(` pushing manifest for ${baseRef}@${baseDigest} done`))).toBe(true);
}, 120_000);

afterAll(async () => {
  await registry.stop();
  rm(...dirs);
  dirs = [];
});

function appContext(): string {
  const ctx = tempTree({
    Dockerfile: `FROM ${baseRef} AS base\nRUN echo built > /built\nFROM base\nCOPY --from=base /built /copy\n`,
  });
  dirs.push(ctx);
  return ctx;
}

test("plain: metadata row, FROM pinned to the digest pulled, one row per layer with its bytes; the push's rows", async () => {
  const cache = tempDir("tsbuild-cli-cache-");
  dirs.push(cache);
  const appRef = `${registry.host}/progress/app:1`;
  const r = await buildPlain(cache, "-t", appRef, "--push", appContext());
  expectOk(r);
  expect(r.stderr).toMatch(
    new RegExp(`^#1 \\[internal\\] load metadata for ${baseRef}\n#1 DONE \\d+\\.\\ds$`, "m"),
  );
  const from = block(r.stderr, /FROM /);
  expect(from[0]).toMatch(new RegExp(`^#\\d+ FROM ${baseRef}@${baseDigest}$`));
  expect(from).toContain(`${from[0]?.split(" ")[0]} resolve ${baseRef}@${baseDigest} done`);
  for (const l of baseLayers) {
    const done = from.find((line) => line.includes(` ${l.digest} `) && line.endsWith(" done"));
    expect(done).toBeDefined();
    // "N / N": all of the layer's bytes arrived; the noise layer is about 300 kB.
    const [current, total] = / (\S+B) \/ (\S+B)/.exec(done ?? "")?.slice(1) ?? [];
    expect(current).toBe(total);
  }
  expect(from.some((line) => / 30\d\.\d\dkB \/ 30\d\.\d\dkB/.test(line))).toBe(true);
  expect(from[from.length - 1]).toMatch(/ DONE \d+\.\ds$/);
  // The image pushed is the one whose manifest the push row names.
  const pushed = { Digest: rawManifest(appRef).digest };
  expect(block(r.stderr, /exporting to (?:image|registry)/)).toContain(
    `${block(r.stderr, /exporting to (?:image|registry)/)[0]?.split(" ")[0]} pushing manifest for ${appRef}@${pushed.Digest} done`,
  );
  // A second build finds every layer in its cache: the FROM row is CACHED, no layer row.
  const again = await buildPlain(cache, appContext());
  expectOk(again);
  const cached = block(again.stderr, /FROM /);
  expect(cached[cached.length - 1]).toMatch(/ CACHED$/);
  expect(cached.some((line) => baseLayers.some((l) => line.includes(` ${l.digest} `)))).toBe(false);
}, 120_000);

test("rawjson: SolveStatus lines whose statuses carry each layer's current/total and timestamps", async () => {
  const cache = tempDir("tsbuild-cli-cache-");
  const out = tempDir("tsbuild-cli-out-");
  dirs.push(cache, out);
  const r = await cli(
    "build",
    "--progress",
    "rawjson",
    "--cache-dir",
    cache,
    "-o",
    `type=oci,dest=${path.join(out, "app.tar")}`,
    appContext(),
  );
  expectOk(r);
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("{"));
  const statuses: SolveStatus[] = lines.map((l) => JSON.parse(l) as SolveStatus);
  for (const s of statuses)
    expect(Object.keys(s).sort()).toEqual(["logs", "statuses", "vertexes", "warnings"]);
  const vertexes = statuses.flatMap((s) => s.vertexes ?? []);
  const all: VertexStatus[] = statuses.flatMap((s) => s.statuses ?? []);
  const from = vertexes.find((v) => v.name === `FROM ${baseRef}@${baseDigest}`);
  expect(from).toBeDefined();
  for (const l of baseLayers) {
    const rows = all.filter((s) => s.id === l.digest);
    expect(rows.length).toBeGreaterThan(0);
    for (const s of rows) {
      expect(s.vertex).toBe(from?.digest);
      expect(s.total).toBe(l.size);
      expect(s.current).toBeLessThanOrEqual(l.size);
      expect(Date.parse(s.timestamp)).not.toBeNaN();
      expect(Date.parse(s.started ?? "")).toBeLessThanOrEqual(Date.parse(s.timestamp));
    }
    const last = rows[rows.length - 1];
    expect(last?.current).toBe(l.size);
    expect(Date.parse(last?.completed ?? "")).toBeGreaterThanOrEqual(Date.parse(last?.started ?? ""));
  }
  // The export's rows belong to the export vertex: layers with their bytes, the tarball's size.
  const exportVertex = vertexes.find((v) => v.name.startsWith("exporting to oci"));
  const exportRows = all.filter((s) => s.vertex === exportVertex?.digest);
  const layers = exportRows.filter((s) => s.id === "exporting layers" && s.completed !== undefined);
  expect(layers[0]?.current).toBeGreaterThan(300_000);
  const tarball = exportRows.find((s) => s.id === "sending tarball");
  expect(tarball?.total).toBe(fs.statSync(path.join(out, "app.tar")).size);
}, 120_000);
