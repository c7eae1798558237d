#!/usr/bin/env node
// Unpack benchmark: tsbuild's applyLayer against GNU `tar -xf` on the same uncompressed layer tar
// of 20,000 small files (0.5-4 KB, in 200 directories, plus 100 symlinks) and 100 MB in four 25 MB
// files. Each run extracts into a fresh directory; the tar is in the page cache; `sync` between
// runs is not timed. Reads compiled code from dist/ (npm run build first).
// Usage: node bench/unpack.js [--runs N] [--dir PARENT] [--keep]
//   --dir /dev/shm measures on tmpfs, i.e. the CPU side without the disk.
"use strict";
const { execFileSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const tarStream = require("tar-stream");

const dist = path.resolve(__dirname, "..", "dist");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 3;

async function makeTar(file) {
  const pack = tarStream.pack();
  const out = fs.createWriteStream(file);
  const done = new Promise((resolve, reject) => out.on("finish", resolve).on("error", reject));
  pack.pipe(out);
  const add = (header, body) =>
    new Promise((resolve, reject) => pack.entry(header, body, (e) => (e ? reject(e) : resolve())));
  const mtime = new Date(1_700_000_000_000);
  let seed = 1;
  for (let d = 0; d < 200; d++) {
    await add({ name: `d${d}/`, type: "directory", mode: 0o755, mtime });
    for (let f = 0; f < 100; f++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const size = 512 + (seed % 3584);
      await add({ name: `d${d}/f${f}.txt`, mode: 0o644, mtime }, crypto.randomBytes(size));
    }
    if (d < 100) await add({ name: `d${d}/link`, type: "symlink", linkname: "f0.txt", mtime });
  }
  for (let i = 0; i < 4; i++)
    await add({ name: `big/blob${i}.bin`, mode: 0o644, mtime }, crypto.randomBytes(25 * 1024 * 1024));
  pack.finalize();
  await done;
}

function timeIt(fn) {
  const t0 = process.hrtime.bigint();
  return Promise.resolve(fn()).then((r) => ({
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    result: r,
  }));
}

async function main() {
  const { applyLayer } = require(path.join(dist, "image/unpack"));
  const parent = args.includes("--dir") ? args[args.indexOf("--dir") + 1] : os.tmpdir();
  const work = fs.mkdtempSync(path.join(parent, "tsbuild-bench-unpack-"));
  try {
    const tarFile = path.join(work, "layer.tar");
    await makeTar(tarFile);
    const size = fs.statSync(tarFile).size;
    fs.readFileSync(tarFile); // warm the page cache
    const results = { tar: [], tsbuild: [] };
    for (let r = 0; r < runs; r++) {
      for (const tool of ["tar", "tsbuild"]) {
        const dir = path.join(work, `${tool}-${r}`);
        fs.mkdirSync(dir);
        execFileSync("sync");
        const { seconds } = await timeIt(() =>
          tool === "tar"
            ? execFileSync("tar", ["-xf", tarFile, "-C", dir])
            : applyLayer(fs.createReadStream(tarFile, { highWaterMark: 1 << 20 }), dir),
        );
        results[tool].push(seconds);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const best = (xs) => Math.min(...xs);
    const mb = size / 1e6;
    const row = (tool) =>
      `${tool.padEnd(8)} best ${best(results[tool]).toFixed(2)} s  ${(mb / best(results[tool])).toFixed(0)} MB/s  ` +
      `${Math.round(20_300 / best(results[tool]))} entries/s  runs: ${results[tool].map((s) => s.toFixed(2)).join(", ")}`;
    console.log(
      `layer tar: ${mb.toFixed(1)} MB, 20,000 small files + 100 symlinks + 4 x 25 MB, ${runs} runs, uid ${process.getuid()}, in ${parent}`,
    );
    console.log(row("tar"));
    console.log(row("tsbuild"));
  } finally {
    if (!args.includes("--keep")) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
