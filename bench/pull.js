#!/usr/bin/env node
// Registry pull: tsbuild's pullImage (compiled, from dist/) against `skopeo copy docker://… oci:DIR`
// for an image of 5 layers totalling ~100 MB in a docker-registry started on 127.0.0.1.
// Both write every blob to disk verified against its digest; runs alternate, each into a fresh
// directory. Prints each time, the medians and the ratio tsbuild/skopeo (goal ≤ 1.0).
// Run after `npm run build`: node bench/pull.js [runs=3]
"use strict";
const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { Readable } = require("node:stream");
const { performance } = require("node:perf_hooks");
const { installSignalHandlers, runCleanups } = require("./lib/proc");
const { startRegistry } = require("./lib/registry");
const { createWorkDir } = require("./lib/workdir");

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
  installSignalHandlers();
  const { dir: tmp, recordDaemon } = await createWorkDir();
  try {
    const registry = await startRegistry(path.join(tmp, "registry"), recordDaemon);
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
    // Stops the registry, then removes the work dir.
    await runCleanups();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
