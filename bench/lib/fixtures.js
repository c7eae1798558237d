// The build contexts, generated at run time into the run's temp dir (never committed): the four
// shapes of issue #15 and one realistic Debian workload. Each fixture names the one copied file
// that the "touch" (new mtime, same bytes) and "edit" (new bytes) variants change, and can put it
// back as it was before the next cold build.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

function writeTree(dir, files) {
  for (const [name, content] of Object.entries(files)) {
    const abs = path.join(dir, name);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

/** xorshift32: the same context bytes every run. */
function makeRng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Text-like bytes (gzip -6 makes roughly 3:1 of them), not trivially repetitive. */
function words(rng, bytes) {
  const vocab = (
    "the of and to in is was that for on are with as by be this from at or an have not which but all " +
    "were when there can more been one has their if will each about how up out them then she many some " +
    "so these would other into its time could two build layer image cache step context file"
  ).split(" ");
  const parts = [];
  let n = 0;
  while (n < bytes) {
    const w = vocab[rng() % vocab.length] + (rng() % 13 === 0 ? ".\n" : " ");
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join("")).subarray(0, bytes);
}

/** A file of `bytes` made of random slices of a text block (compressible like text). */
function textFile(file, block, rng, bytes) {
  const fd = fs.openSync(file, "w");
  for (let left = bytes; left > 0;) {
    const n = Math.min(left, 256 * 1024);
    const off = rng() % (block.length - n);
    fs.writeSync(fd, block, off, n);
    left -= n;
  }
  fs.closeSync(fd);
}

function randomFile(file, bytes) {
  const fd = fs.openSync(file, "w");
  for (let left = bytes; left > 0; left -= 1 << 20)
    fs.writeSync(fd, crypto.randomBytes(Math.min(left, 1 << 20)));
  fs.closeSync(fd);
}

/** Adds touch/edit/restore of fixture.changed (a path in the context) to a fixture. */
function withChanges(fixture) {
  const file = path.join(fixture.dir, fixture.changed);
  const original = fs.readFileSync(file);
  const stat = fs.statSync(file);
  let edits = 0;
  return {
    ...fixture,
    touch() {
      const t = new Date(Date.now() + 1000);
      fs.utimesSync(file, t, t);
    },
    edit() {
      fs.appendFileSync(file, `\n/* bench edit ${++edits} ${process.pid} */\n`);
    },
    restore() {
      fs.writeFileSync(file, original);
      fs.utimesSync(file, stat.atime, stat.mtime);
    },
  };
}

/** (a) 15 instructions on busybox, 5 of them RUN; the last COPY's file changes. */
function steps(dir, bases) {
  const lib = {};
  for (let i = 0; i < 10; i++) lib[`lib/mod${i}.txt`] = `module ${i}\n`.repeat(40);
  writeTree(dir, {
    ...lib,
    "config.txt": "mode=bench\nlevel=3\n",
    "data.txt": Array.from({ length: 500 }, (_, i) => `row ${(i * 7919) % 500}`).join("\n") + "\n",
    "main.txt": "the main input\n".repeat(30),
    Dockerfile: [
      `FROM ${bases.busybox}`,
      "ENV APP=/app MODE=bench",
      "WORKDIR /app",
      "COPY config.txt ./",
      "RUN cat config.txt > /tmp/config && echo configured >> /tmp/config",
      "COPY lib/ ./lib/",
      "RUN ls lib | wc -l > lib.count",
      "ARG VERSION=1",
      "LABEL org.example.version=$VERSION",
      "COPY data.txt ./",
      "RUN sort data.txt > data.sorted",
      "COPY main.txt ./",
      "RUN wc -c main.txt > main.size",
      "RUN echo done > /tmp/done",
      'CMD ["cat", "/app/main.size"]',
      "",
    ].join("\n"),
  });
  return withChanges({ dir, changed: "main.txt" });
}

/** (b) 9 instructions; step 4 (2 s and a 32 MB layer) stays cached when a source file changes. */
function cachedStep(dir, bases) {
  const src = {};
  for (let i = 0; i < 50; i++) src[`src/part${i}.txt`] = `part ${i}\n`.repeat(60);
  writeTree(dir, {
    ...src,
    "src/main.txt": "main source\n".repeat(50),
    "deps.txt": "dep-a 1.0\ndep-b 2.3\n",
    Dockerfile: [
      `FROM ${bases.busybox}`,
      "WORKDIR /app",
      "COPY deps.txt ./",
      "RUN sleep 2 && head -c 33554432 /dev/urandom > deps.bin && sha256sum deps.bin > deps.sum",
      "COPY src/ ./src/",
      "RUN cat src/*.txt | md5sum > build.out",
      "ENV APP_BUILT=1",
      "EXPOSE 8080",
      'CMD ["cat", "/app/build.out"]',
      "",
    ].join("\n"),
  });
  return withChanges({ dir, changed: "src/main.txt" });
}

/** (c) a base, three independent stages of a 2.5 s RUN each, a final stage copying from all. */
function parallel(dir, bases) {
  const stage = (n) => [
    `FROM base AS ${n}`,
    `COPY ${n}.txt /${n}.txt`,
    `RUN sleep 2.5 && cp /${n}.txt /${n}.out`,
  ];
  writeTree(dir, {
    "a.txt": "stage a\n",
    "b.txt": "stage b\n",
    "c.txt": "stage c\n",
    Dockerfile: [
      `FROM ${bases.busybox} AS base`,
      "RUN echo base > /base.txt",
      ...stage("a"),
      ...stage("b"),
      ...stage("c"),
      "FROM base",
      "COPY --from=a /a.out /a",
      "COPY --from=b /b.out /b",
      "COPY --from=c /c.out /c",
      'CMD ["cat", "/a", "/b", "/c"]',
      "",
    ].join("\n"),
  });
  return withChanges({ dir, changed: "a.txt" });
}

/**
 * (d) FROM scratch + COPY . of 20,000 small text files (~29 MB) and 4 × 50 MB (two text-like, two
 * random), 229 MB kept; .dockerignore drops a .git dir, build/ and *.log (1,300 files, 30 MB).
 */
function bigContext(dir, scale = 1) {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`bigContext: scale must be a positive integer`);
  const rng = makeRng(42);
  const block = words(rng, 4 << 20);
  for (let d = 0; d < 200 * scale; d++) {
    const sub = path.join(dir, "src", `pkg${String(d).padStart(3, "0")}`);
    fs.mkdirSync(sub, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const size = 200 + (rng() % 2500);
      const off = rng() % (block.length - size);
      fs.writeFileSync(
        path.join(sub, `file${String(f).padStart(3, "0")}.txt`),
        block.subarray(off, off + size),
      );
    }
  }
  fs.mkdirSync(path.join(dir, "assets"));
  for (let i = 0; i < 2; i++)
    textFile(path.join(dir, "assets", `text${i}.txt`), block, rng, scale * (50 << 20));
  for (let i = 0; i < 2; i++) randomFile(path.join(dir, "assets", `random${i}.bin`), scale * (50 << 20));
  // Ignored: 1,000 files of a fake .git, 200 logs, 100 build outputs and a 20 MB pack.
  for (let i = 0; i < 1000; i++)
    writeTree(dir, { [`.git/objects/${i % 100}/${i}`]: block.subarray(i, i + 3000) });
  for (let i = 0; i < 200; i++)
    writeTree(dir, { [`src/pkg${String(i).padStart(3, "0")}/debug.log`]: `log ${i}\n` });
  for (let i = 0; i < 100; i++) writeTree(dir, { [`build/out${i}.o`]: block.subarray(i * 7, i * 7 + 40000) });
  randomFile(path.join(dir, ".git", "pack.bin"), 20 << 20);
  writeTree(dir, {
    ".dockerignore": ".git\nbuild/\n**/*.log\n",
    Dockerfile: "FROM scratch\nCOPY . /ctx/\n",
  });
  return withChanges({
    dir,
    changed: "src/pkg100/file050.txt",
    // What the context holds after .dockerignore, for the tar | pigz reference.
    kept: ["src", "assets", "Dockerfile", ".dockerignore"],
    keptExcludes: ["*.log"],
  });
}

const HELLO_C = `#include <stdio.h>
#include "greet.h"

int main(void) {
  printf("%s\\n", greeting("tsbuild bench"));
  return 0;
}
`;

const GREET_C = `#include <stdio.h>
#include "greet.h"

const char *greeting(const char *who) {
  static char buf[128];
  snprintf(buf, sizeof buf, "hello from %s", who);
  return buf;
}
`;

/**
 * (e) Debian: a builder stage that apt-get installs a small C toolchain (tcc and libc6-dev, 17
 * packages, ~10 MB from the mirror) and compiles two files; a second Debian stage gets the binary
 * and runs it. The package lists stay in the builder's layer, as they do in most builder stages.
 */
function debian(dir, bases) {
  writeTree(dir, {
    "hello.c": HELLO_C,
    "greet.c": GREET_C,
    "greet.h": "const char *greeting(const char *who);\n",
    Dockerfile: [
      `FROM ${bases.debian} AS build`,
      "RUN apt-get update && apt-get install -y --no-install-recommends tcc libc6-dev",
      "WORKDIR /src",
      "COPY hello.c greet.c greet.h ./",
      "RUN tcc -O2 -o hello hello.c greet.c",
      "",
      `FROM ${bases.debian}`,
      "COPY --from=build /src/hello /usr/local/bin/hello",
      "RUN hello > /hello.out",
      'CMD ["hello"]',
      "",
    ].join("\n"),
  });
  return withChanges({ dir, changed: "hello.c" });
}

/** Shapes in the order of the report; `base` says which base image a shape pulls. */
const SHAPES = [
  { id: "steps", title: "15 steps on busybox, 5 RUN", base: "busybox", make: steps },
  { id: "cached", title: "9 steps, one expensive cached step", base: "busybox", make: cachedStep },
  { id: "parallel", title: "3 independent 2.5 s stages", base: "busybox", make: parallel },
  {
    id: "context",
    title: "COPY of 20,000 files + 4 × 50 MB, a .dockerignore",
    base: null,
    make: (dir) => bigContext(dir),
  },
  // The goals' "same ratios with a context 10× larger": 2 GB to write and copy per builder, so
  // only with --only (optIn), not in the default run.
  {
    id: "context10",
    title: "the same context × 10: 200,000 files + 4 × 500 MB",
    base: null,
    make: (dir) => bigContext(dir, 10),
    optIn: true,
  },
  { id: "debian", title: "Debian: apt-get install tcc, multi-stage compile", base: "debian", make: debian },
];

/** A context whose Dockerfile is the given lines (the micro rows). */
function dockerfileOnly(dir, lines) {
  writeTree(dir, { Dockerfile: lines.join("\n") + "\n" });
  return dir;
}

module.exports = { SHAPES, dockerfileOnly };
