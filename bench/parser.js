#!/usr/bin/env node
// Parser throughput: tsbuild's parse() (compiled, from dist/) against dockerfile-ast's
// DockerfileParser.parse on the same generated Dockerfile, in one process.
// Run with `npm run bench:parser` (builds first). Prints MB/s for both, their ratio, and the
// 25k-line vs 100k-line times as a linearity check.
"use strict";
const path = require("node:path");
const { performance } = require("node:perf_hooks");
const { Buffer } = require("node:buffer");
const { parse } = require(path.join(__dirname, "..", "dist", "parser", "parse.js"));
const { DockerfileParser } = require("dockerfile-ast");

/** A deterministic Dockerfile of about `lines` physical lines mixing every common shape. */
function generate(lines) {
  const blocks = [
    (i) => [`FROM alpine:3.${i % 20} AS stage${i}`],
    (i) => [`# step ${i}: install things`],
    (i) => [
      `RUN apk add --no-cache curl \\`,
      `    && echo ${i} > /tmp/n \\`,
      `    && rm -rf /var/cache/apk/*`,
    ],
    (i) => [`COPY --chown=app:app ["src/${i}", "/app/${i}"]`],
    (i) => [`ENV KEY${i}=value${i} OTHER="a b c" PATH=/usr/local/bin:$PATH`],
    (i) => [`LABEL org.example.n="${i}" maintainer="me@example.com"`],
    (i) => [`CMD ["node", "server.js", "--port", "${8000 + (i % 1000)}"]`],
    (i) => [`RUN <<EOF`, `set -e`, `echo building ${i}`, `EOF`],
    (i) => [`WORKDIR /srv/app${i}`],
    (i) => [`ARG VERSION${i}=1.${i}`],
    () => [""],
    (i) => [`HEALTHCHECK --interval=30s CMD curl -f http://localhost/${i} || exit 1`],
    (i) => [`EXPOSE ${1000 + (i % 5000)}/tcp`],
    (i) => [`RUN set -eux; \\`, `    # a comment inside a continuation`, `    make -j2 target${i}`],
  ];
  const out = [];
  for (let i = 0; out.length < lines; i++) out.push(...blocks[i % blocks.length](i));
  out.length = lines;
  // Do not leave a heredoc open if the cut fell inside one.
  let open = false;
  for (const l of out) {
    if (l === "RUN <<EOF") open = true;
    else if (l === "EOF") open = false;
  }
  if (open) out.push("EOF");
  return out.join("\n") + "\n";
}

function time(fn, runs) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function main() {
  const text100k = generate(100000);
  const text25k = generate(25000);
  const mb = Buffer.byteLength(text100k) / (1024 * 1024);
  const ours = (text) => () => parse(text);
  const theirs = (text) => () => DockerfileParser.parse(text);
  // Sanity: both see the same number of instructions.
  const n1 = parse(text100k).instructions.length;
  const n2 = DockerfileParser.parse(text100k).getInstructions().length;
  // Warm up both (dockerfile-ast takes seconds per 100k-line parse, so it gets fewer runs).
  for (let w = 0; w < 3; w++) ours(text100k)();
  theirs(text100k)();
  const tOurs = time(ours(text100k), 9);
  const tOurs25 = time(ours(text25k), 9);
  const tTheirs = time(theirs(text100k), 3);
  const tTheirs25 = time(theirs(text25k), 3);
  const rate = (ms) => (mb / (ms / 1000)).toFixed(1);
  console.log(`input: 100000 lines, ${mb.toFixed(2)} MB, ${n1} instructions (dockerfile-ast: ${n2})`);
  console.log(`tsbuild parse:         ${tOurs.toFixed(1)} ms (median of 9)  ${rate(tOurs)} MB/s`);
  console.log(`dockerfile-ast parse:  ${tTheirs.toFixed(1)} ms (median of 3)  ${rate(tTheirs)} MB/s`);
  console.log(`ratio (tsbuild speed / dockerfile-ast speed): ${(tTheirs / tOurs).toFixed(2)}x`);
  console.log(`linearity, time(100k lines) / time(25k lines), 4.00 = linear:`);
  console.log(`  tsbuild ${(tOurs / tOurs25).toFixed(2)} (${tOurs25.toFixed(1)} ms for 25k)`);
  console.log(`  dockerfile-ast ${(tTheirs / tTheirs25).toFixed(2)} (${tTheirs25.toFixed(1)} ms for 25k)`);
}

main();
