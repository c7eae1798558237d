#!/usr/bin/env node
// Registry pull: tsbuild's pullImage (compiled, from dist/) against `skopeo copy docker://… oci:DIR`
// for an image of 5 layers totalling ~100 MB in a docker-registry started on 127.0.0.1.
// Both write every blob to disk verified against its digest; runs alternate, each into a fresh
// directory. Prints each time, the medians and the ratio tsbuild/skopeo (goal ≤ 1.0).
// Run after `npm run build`: node bench/pull.js [runs=3]
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { Readable } = require("node:stream");
const { performance } = require("node:perf_hooks");

const dist = path.join(__dirname, "..", "dist");
const { buildLayer } = require(path.join(dist, "image", "build-layer.js"));
const { appendLayers, emptyImage } = require(path.join(dist, "image", "image.js"));
const { CacheStore } = require(path.join(dist, "cache", "cache-store.js"));
const { pullImage } = require(path.join(dist, "registry", "pull.js"));
const { pushImage } = require(path.join(dist, "registry", "push.js"));
const { closeDeflatePool } = require(path.join(dist, "image", "parallel-gzip.js"));

const RUNS = Number(process.argv[2] || 3);
const LAYERS = 5;
const LAYER_BYTES = 20 * 1024 * 1024;
const noCreds = async () => undefined;

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startRegistry(dir) {
  const port = await freePort();
  const config = path.join(dir, "config.yml");
  fs.writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${path.join(dir, "data")}`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("REGISTRY_")));
  const child = spawn("docker-registry", ["serve", config], { env, stdio: "ignore" });
  for (let i = 0; i < 300; i++) {
    const up = await new Promise((r) =>
      http
        .get({ host: "127.0.0.1", port, path: "/v2/" }, (res) => (res.resume(), r(true)))
        .on("error", () => r(false)),
    );
    if (up) return { host: `127.0.0.1:${port}`, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error("docker-registry did not start");
}

async function benchImage(blobDir) {
  const T = Date.UTC(2024, 0, 2);
  const layers = [];
  for (let i = 0; i < LAYERS; i++) {
    let left = LAYER_BYTES;
    const gen = function* () {
      while (left > 0) {
        const n = Math.min(1 << 20, left);
        left -= n;
        yield crypto.randomBytes(n);
      }
    };
    const entry = {
      type: "file",
      path: `layer${i}.bin`,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtimeMs: T,
      size: LAYER_BYTES,
      open: () => Readable.from(gen()),
    };
    layers.push(
      await buildLayer([entry], { dir: blobDir, clampMtime: T / 1000, compression: "gzip", level: 1 }),
    );
  }
  return appendLayers(emptyImage({ architecture: "amd64", os: "linux" }), layers);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-bench-pull-"));
  let registry;
  try {
    registry = await startRegistry(tmp);
    const blobDir = path.join(tmp, "src-blobs");
    fs.mkdirSync(blobDir);
    const image = await benchImage(blobDir);
    const sizes = await Promise.all(image.layers.map((l) => l.size()));
    const ref = `${registry.host}/bench/pull:1`;
    const digest = await pushImage(image, ref, { credentials: noCreds });
    console.log(
      `image ${digest}: ${LAYERS} layers, ${(sizes.reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} MB compressed`,
    );

    const ours = [];
    const theirs = [];
    for (let run = 0; run < RUNS; run++) {
      const cacheDir = path.join(tmp, `cache-${run}`);
      let t = performance.now();
      const store = await CacheStore.open(cacheDir);
      const pulled = await pullImage(ref, {
        store,
        credentials: noCreds,
        platform: { os: "linux", architecture: "amd64" },
      });
      ours.push(performance.now() - t);
      if (pulled.digest !== digest) throw new Error(`pulled ${pulled.digest}, pushed ${digest}`);

      const ociDir = path.join(tmp, `oci-${run}`);
      t = performance.now();
      const r = spawnSync(
        "skopeo",
        ["copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `oci:${ociDir}:tag`],
        { stdio: "inherit" },
      );
      theirs.push(performance.now() - t);
      if (r.status !== 0) throw new Error("skopeo copy failed");
      fs.rmSync(cacheDir, { recursive: true, force: true });
      fs.rmSync(ociDir, { recursive: true, force: true });
      console.log(`run ${run + 1}: tsbuild ${ours[run].toFixed(0)} ms, skopeo ${theirs[run].toFixed(0)} ms`);
    }
    const a = median(ours);
    const b = median(theirs);
    console.log(
      `median: tsbuild pullImage ${a.toFixed(0)} ms, skopeo copy ${b.toFixed(0)} ms, ratio ${(a / b).toFixed(2)}x (goal <= 1.0x)`,
    );
  } finally {
    closeDeflatePool();
    if (registry) registry.child.kill("SIGTERM");
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
