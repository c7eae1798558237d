#!/usr/bin/env node
// `npm run bench`: tsbuild side by side with BuildKit (dockerd 20.10's embedded builder) and
// Buildah, in one run, on the shapes of issue #15 and a realistic Debian workload, cold / no-change
// / touch / edit, several repetitions; then the micro rows. Writes bench/results.{md,svg,json}
// (a partial run, with --only/--builders/--quick, writes bench/results-partial.*).
// Needs root (dockerd, buildah, RUN); installs missing Debian packages. See --help.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { installSignalHandlers, runCleanups, removeTree } = require("./lib/proc");
const { createWorkDir } = require("./lib/workdir");
const { CpuMonitor, ensurePackages, machineInfo } = require("./lib/system");
const { serveBases } = require("./lib/images");
const { SHAPES } = require("./lib/fixtures");
const { BUILDERS, TSBUILD } = require("./lib/builders");
const { measureExport, measureRunStep, measureShape, measureVersion } = require("./lib/measure");
const { markdown, svg } = require("./lib/report");

const MICRO = ["version", "runstep", "export"];
const HELP = `usage: node bench/run.js [options]
  --reps N          repetitions per cell (default 3)
  --buildah-reps N  repetitions for Buildah (default 1: it is the slowest by far and not the
                    builder to beat; the ratios are tsbuild / BuildKit)
  --quick           one repetition (and fewer --version runs)
  --only LIST       comma-separated shapes and micro rows: ${[...SHAPES.map((s) => s.id), ...MICRO].join(",")}
                    (default all but ${SHAPES.filter((s) => s.optIn)
                      .map((s) => s.id)
                      .join(", ")}: 2 GB per builder)
  --builders LIST   comma-separated: ${Object.keys(BUILDERS).join(",")}
  --out PREFIX      write PREFIX.md, PREFIX.svg, PREFIX.json (default bench/results, or
                    bench/results-partial for a partial run)
  --cache-dir DIR   where the debootstrapped Debian tree is kept between runs
                    (default $TSBUILD_BENCH_CACHE, else ~/.cache/tsbuild-bench)
  --note TEXT       a line for the Notes section of the report; repeatable
  --render FILE     only rewrite PREFIX.md and PREFIX.svg from a results JSON (no builds)
Temp files go under $BENCH_TMPDIR (default ${os.tmpdir()}).`;

const OPTIONS = {
  reps: { type: "string" },
  "buildah-reps": { type: "string" },
  quick: { type: "boolean" },
  only: { type: "string" },
  builders: { type: "string" },
  out: { type: "string" },
  "cache-dir": { type: "string" },
  note: { type: "string", multiple: true },
  render: { type: "string" },
  help: { type: "boolean", short: "h" },
};

function options() {
  let parsed;
  try {
    parsed = parseArgs({ options: OPTIONS });
  } catch (err) {
    throw new UsageError(`${err.message} (see --help)`);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const list = (s, allowed, flag, byDefault = allowed) => {
    if (s === undefined) return byDefault;
    const items = s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = items.filter((x) => !allowed.includes(x));
    if (bad.length || items.length === 0)
      throw new UsageError(
        `${flag}: unknown ${bad.join(", ") || "(empty)"}; choose from ${allowed.join(", ")}`,
      );
    return items;
  };
  const reps = values.quick ? 1 : Number(values.reps || 3);
  if (!Number.isInteger(reps) || reps < 1)
    throw new UsageError(`--reps: expected a positive integer, got ${values.reps}`);
  const buildahReps = Number(values["buildah-reps"] || 1);
  if (!Number.isInteger(buildahReps) || buildahReps < 1)
    throw new UsageError(`--buildah-reps: expected a positive integer, got ${values["buildah-reps"]}`);
  const only = list(values.only, [...SHAPES.map((s) => s.id), ...MICRO], "--only", [
    ...SHAPES.filter((s) => !s.optIn).map((s) => s.id),
    ...MICRO,
  ]);
  const builders = list(values.builders, Object.keys(BUILDERS), "--builders");
  const partial = values.only !== undefined || values.builders !== undefined || reps !== 3;
  const out = values.out || path.join(__dirname, partial ? "results-partial" : "results");
  const cacheDir =
    values["cache-dir"] ||
    process.env.TSBUILD_BENCH_CACHE ||
    path.join(os.homedir(), ".cache", "tsbuild-bench");
  return {
    render: values.render,
    reps,
    buildahReps,
    only,
    builders,
    partial,
    out,
    cacheDir,
    notes: values.note || [],
  };
}

class UsageError extends Error {}

const log = (msg) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

/** Writes PREFIX.{json,md,svg}; the JSON and Markdown in the repository's Prettier style. */
async function writeReport(data, prefix, withJson) {
  const prettier = require("prettier");
  const style = (await prettier.resolveConfig(`${prefix}.md`)) || {};
  if (withJson)
    fs.writeFileSync(
      `${prefix}.json`,
      await prettier.format(JSON.stringify(data), { ...style, parser: "json" }),
    );
  fs.writeFileSync(`${prefix}.md`, await prettier.format(markdown(data), { ...style, parser: "markdown" }));
  fs.writeFileSync(`${prefix}.svg`, svg(data));
}

async function main() {
  const opts = options();
  if (opts.render) {
    const data = JSON.parse(fs.readFileSync(opts.render, "utf8"));
    const prefix = opts.outGiven || opts.render.replace(/\.json$/, "");
    await writeReport(data, prefix, false);
    log(`wrote ${prefix}.md, ${prefix}.svg from ${opts.render}`);
    return 0;
  }
  if (process.getuid() !== 0) throw new UsageError("run as root: dockerd, buildah and RUN steps need it");
  if (!fs.existsSync(TSBUILD))
    throw new UsageError(`${TSBUILD} is missing: run npm run build (npm run bench does)`);
  installSignalHandlers();
  const shapes = SHAPES.filter((s) => opts.only.includes(s.id));
  const micro = MICRO.filter((m) => opts.only.includes(m));
  const needDebian = shapes.some((s) => s.base === "debian");
  await ensurePackages([
    "time",
    "docker-registry",
    "skopeo",
    "busybox-static",
    "pigz",
    ...opts.builders.flatMap((b) => BUILDERS[b].packages),
    ...(needDebian ? ["debootstrap"] : []),
  ]);

  const t0 = Date.now();
  const monitor = new CpuMonitor();
  monitor.start();
  const info = {
    ...(await machineInfo(path.resolve(__dirname, ".."))),
    reps: opts.reps,
    buildahReps: Math.min(opts.buildahReps, opts.reps),
    builders: opts.builders,
    partial: opts.partial,
    command: ["node bench/run.js", ...process.argv.slice(2)].join(" "),
    notes: opts.notes,
  };
  const { dir: work, recordDaemon } = await createWorkDir();
  log(`work dir ${work}; bench cache ${opts.cacheDir}`);
  const bases = await serveBases({ work, cacheDir: opts.cacheDir, recordDaemon, needDebian, log });
  log(`registry ${bases.host}: ${bases.busybox}${bases.debian ? ", " + bases.debian : ""}`);
  const ctx = {
    work,
    recordDaemon,
    reps: opts.reps,
    buildahReps: opts.buildahReps,
    builders: opts.builders,
    log,
  };

  const data = { info, shapes: [], micro: {} };
  const fixtures = new Map();
  const fixture = (shape) => {
    if (!fixtures.has(shape.id))
      fixtures.set(shape.id, shape.make(path.join(work, `ctx-${shape.id}`), bases));
    return fixtures.get(shape.id);
  };
  for (const shape of shapes) {
    log(`[${shape.id}] ${shape.title}`);
    const results = await measureShape(ctx, shape, fixture(shape));
    data.shapes.push({ id: shape.id, title: shape.title, results });
    if (shape.id !== "context" || !micro.includes("export")) await removeTree(fixture(shape).dir);
  }
  if (micro.includes("version")) data.micro.version = await measureVersion(ctx);
  if (micro.includes("runstep")) data.micro.runstep = await measureRunStep(ctx, bases);
  if (micro.includes("export"))
    data.micro.export = await measureExport(ctx, fixture(SHAPES.find((s) => s.id === "context")));

  await runCleanups();
  info.noise = monitor.stop();
  info.durationSeconds = (Date.now() - t0) / 1000;
  await writeReport(data, opts.out, true);
  log(`wrote ${opts.out}.md, .svg, .json (${(info.durationSeconds / 60).toFixed(1)} min)`);
  process.stdout.write(markdown(data).split("## Against")[0]);
  const failed = data.shapes.some((s) => Object.values(s.results).some((r) => r.errors.length > 0));
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err) => {
    await runCleanups();
    process.stderr.write(`bench: ${err instanceof UsageError ? "" : "failed: "}${err.message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
