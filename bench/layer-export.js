#!/usr/bin/env node
// Layer export benchmark: tsbuild (walk dir → LayerEntry → buildLayer gzip → OCI archive) against
// `tar -c | gzip -6 | sha256sum` and `tar -c | pigz -6 | sha256sum` on the same data set:
// 18,000 small files + 150 MB in large files, one third of it incompressible. Also the lazy path
// builds use (issue #15): the layer written as an uncompressed tar into a cache (the build's
// cost), then the OCI archive export that gzips it (pigz when on PATH) into the cache and a second
// export that reuses the compressed blob.
// Reads compiled code from dist/ (npm run build first). Usage: node bench/layer-export.js [--keep]
/* global Buffer, __filename */
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const dist = path.resolve(__dirname, "..", "dist");

async function child(dataDir, workDir) {
  const { dirEntries } = require(path.join(dist, "image/dir-entries"));
  const { buildLayer } = require(path.join(dist, "image/build-layer"));
  const { appendLayers, emptyImage, withConfig } = require(path.join(dist, "image/image"));
  const { writeOciArchive } = require(path.join(dist, "output/oci-archive"));
  const { closeDeflatePool } = require(path.join(dist, "image/parallel-gzip"));
  const t0 = process.hrtime.bigint();
  const blobs = path.join(workDir, "blobs");
  fs.mkdirSync(blobs, { recursive: true });
  const layer = await buildLayer(dirEntries(dataDir), { dir: blobs, compression: "gzip", level: 6 });
  const t1 = process.hrtime.bigint();
  const base = withConfig(emptyImage({ architecture: "amd64", os: "linux" }), (c) => {
    c.created = "2024-01-01T00:00:00Z";
  });
  const image = await appendLayers(base, [layer]);
  await writeOciArchive(image, path.join(workDir, "out.tar"), { refName: "latest" });
  const t2 = process.hrtime.bigint();
  // Lazy: uncompressed tar into a cache store, compressed by the export.
  const { CacheStore } = require(path.join(dist, "cache/cache-store"));
  const { LayerCompressor } = require(path.join(dist, "engine/layer-compression"));
  const { BlobLayer } = require(path.join(dist, "image/blob-layer"));
  const store = await CacheStore.open(path.join(workDir, "cache"));
  const t3 = process.hrtime.bigint();
  const tarLayer = await buildLayer(dirEntries(dataDir), { dir: blobs, compression: "uncompressed" });
  await store.blobs.importFile(tarLayer.info.path, { digest: tarLayer.info.digest });
  const cached = new BlobLayer({ ...tarLayer.info, path: store.blobs.path(tarLayer.info.digest) });
  const t4 = process.hrtime.bigint();
  const lazy = await appendLayers(base, [cached]);
  const exported = await new LayerCompressor(store).image(lazy, { compression: "gzip" });
  await writeOciArchive(exported, path.join(workDir, "lazy.tar"), { refName: "latest" });
  const t5 = process.hrtime.bigint();
  const again = await new LayerCompressor(store).image(lazy, { compression: "gzip" });
  await writeOciArchive(again, path.join(workDir, "lazy2.tar"), { refName: "latest" });
  const t6 = process.hrtime.bigint();
  await closeDeflatePool();
  process.stdout.write(
    JSON.stringify({
      layerSeconds: Number(t1 - t0) / 1e9,
      totalSeconds: Number(t2 - t0) / 1e9,
      lazyLayerSeconds: Number(t4 - t3) / 1e9,
      lazyExportSeconds: Number(t5 - t4) / 1e9,
      lazyReexportSeconds: Number(t6 - t5) / 1e9,
      lazyDigest: await exported.layers[0].digest(),
      digest: await layer.digest(),
      size: await layer.size(),
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function words(rng, bytes) {
  // Text-like compressible content (gzip -6 reaches roughly 3:1 on it), not trivially repetitive.
  const vocab =
    "the of and to in is was that for on are with as by be this from at or an have not which but all were when there can more been one has their if will each about how up out them then she many some so these would other into its time could two".split(
      " ",
    );
  const parts = [];
  let n = 0;
  while (n < bytes) {
    const w = vocab[rng() % vocab.length] + (rng() % 13 === 0 ? ".\n" : " ");
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join("")).subarray(0, bytes);
}

function makeRng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function generate(dataDir) {
  const rng = makeRng(42);
  const vocabBlock = words(rng, 4 << 20);
  for (let d = 0; d < 180; d++) {
    const sub = path.join(dataDir, "src", `pkg${String(d).padStart(3, "0")}`);
    fs.mkdirSync(sub, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const size = 200 + (rng() % 3800);
      const off = rng() % (vocabBlock.length - size);
      fs.writeFileSync(
        path.join(sub, `file${String(f).padStart(3, "0")}.txt`),
        vocabBlock.subarray(off, off + size),
      );
    }
  }
  const big = path.join(dataDir, "assets");
  fs.mkdirSync(big);
  // 100 MB compressible in 5 files, 50 MB incompressible in 2 files.
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(big, `text${i}.txt`), words(rng, 20 << 20));
  for (let i = 0; i < 2; i++)
    fs.writeFileSync(path.join(big, `random${i}.bin`), crypto.randomBytes(25 << 20));
}

function time(cmd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("bash", ["-c", `set -o pipefail; ${cmd}`], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, out: r.stdout.trim() };
}

async function main() {
  if (process.argv[2] === "--child") return child(process.argv[3], process.argv[4]);
  const keep = process.argv.includes("--keep");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-bench-layer-"));
  try {
    const dataDir = path.join(root, "data");
    fs.mkdirSync(dataDir);
    generate(dataDir);
    const du = execFileSync("du", ["-sb", dataDir], { encoding: "utf8" }).split("\t")[0];
    const files = execFileSync("bash", ["-c", `find ${dataDir} -type f | wc -l`], {
      encoding: "utf8",
    }).trim();
    console.log(`data set: ${files} files, ${(Number(du) / 1e6).toFixed(1)} MB (${dataDir})`);
    time(`tar -c -C ${dataDir} . > /dev/null`); // warm the page cache for everyone
    const gzip = time(`tar -c -C ${dataDir} . | gzip -6 | sha256sum`);
    const pigz = time(`tar -c -C ${dataDir} . | pigz -6 | sha256sum`);
    const work = path.join(root, "work");
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [__filename, "--child", dataDir, work], { encoding: "utf8" });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`tsbuild export failed: ${r.stderr}`);
    const ts = JSON.parse(r.stdout);
    console.log(`tar | gzip -6 | sha256sum   ${gzip.seconds.toFixed(2)} s`);
    console.log(`tar | pigz -6 | sha256sum   ${pigz.seconds.toFixed(2)} s`);
    console.log(
      `tsbuild layer (walk+tar+gzip+digests)  ${ts.layerSeconds.toFixed(2)} s, + OCI archive ${ts.totalSeconds.toFixed(2)} s, process wall ${wall.toFixed(2)} s`,
    );
    console.log(`tsbuild layer: ${(ts.size / 1e6).toFixed(1)} MB compressed, ${ts.digest}`);
    console.log(
      `ratio tsbuild(layer+archive)/pigz: ${(ts.totalSeconds / pigz.seconds).toFixed(2)}x   /gzip: ${(ts.totalSeconds / gzip.seconds).toFixed(2)}x`,
    );
    console.log(
      `lazy: build layer (walk+tar+sha256, uncompressed, into the cache) ${ts.lazyLayerSeconds.toFixed(2)} s; first OCI archive export (gzip into the cache + archive) ${ts.lazyExportSeconds.toFixed(2)} s; second export ${ts.lazyReexportSeconds.toFixed(2)} s`,
    );
    console.log(
      `ratio lazy first export/pigz: ${(ts.lazyExportSeconds / pigz.seconds).toFixed(2)}x   load average: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    console.log(`tsbuild peak RSS: ${ts.maxRssMB.toFixed(0)} MB`);
  } finally {
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
