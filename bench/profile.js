#!/usr/bin/env node
// `npm run bench:profile`: where tsbuild's time goes on three builds of `npm run bench`'s shapes —
// the 15-step no-change rebuild, the big context cold and after an edit of one file. Each is run
// plainly (wall, CPU, RSS), under `node --cpu-prof` (self and inclusive time per function, per
// file) and under `strace -c -f` (syscall counts and time). Prints a Markdown report (the raw
// input of bench/PROFILE.md) to stdout or --out FILE; --keep-profiles DIR keeps the .cpuprofile
// files (open them in Chrome DevTools).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { installSignalHandlers, run, runCleanups } = require("./lib/proc");
const { createWorkDir } = require("./lib/workdir");
const { ensurePackages } = require("./lib/system");
const { serveBases } = require("./lib/images");
const { SHAPES } = require("./lib/fixtures");
const { TSBUILD } = require("./lib/builders");
const { analyzeProfile, parseStraceSummary } = require("./lib/profile-analysis");

const ROOT = path.resolve(__dirname, "..");
const log = (msg) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

function buildArgs(cache, ctx) {
  return ["build", "--progress", "plain", "--cache-dir", cache, "-t", "bench:latest", ctx];
}

/** The three ways of running one build; `prepare` puts the cache and context in the state wanted. */
async function profileCase(work, name, prepare, out) {
  const section = { name, runs: [] };
  const dir = path.join(work, `prof-${name}`);
  fs.mkdirSync(dir, { recursive: true });

  const plain = await prepare(path.join(dir, "cache-plain"));
  const p = await run(TSBUILD, buildArgs(plain, prepare.ctx), { measureRss: true, tmpDir: work });
  section.plain = p;
  section.progress = (p.stderr + p.stdout).split("\n").slice(-40).join("\n");
  log(`[${name}] plain ${p.seconds.toFixed(2)} s`);

  const profDir = path.join(dir, "cpuprof");
  const c1 = await prepare(path.join(dir, "cache-prof"));
  const cp = await run(
    process.execPath,
    [
      "--cpu-prof",
      "--cpu-prof-dir",
      profDir,
      "--cpu-prof-interval",
      "250",
      TSBUILD,
      ...buildArgs(c1, prepare.ctx),
    ],
    { measureRss: true, tmpDir: work },
  );
  section.profiled = cp;
  section.profiles = fs
    .readdirSync(profDir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => ({
      file: f,
      ...analyzeProfile(JSON.parse(fs.readFileSync(path.join(profDir, f), "utf8")), ROOT),
    }))
    .sort((a, b) => b.sampledMs - a.sampledMs);
  if (out.keep) {
    fs.mkdirSync(out.keep, { recursive: true });
    for (const f of fs.readdirSync(profDir))
      fs.copyFileSync(path.join(profDir, f), path.join(out.keep, `${name}-${f}`));
  }
  log(`[${name}] --cpu-prof ${cp.seconds.toFixed(2)} s, ${section.profiles.length} profile(s)`);

  const c2 = await prepare(path.join(dir, "cache-strace"));
  const straceOut = path.join(dir, "strace.txt");
  const st = await run(
    "/usr/bin/strace",
    ["-c", "-f", "-o", straceOut, TSBUILD, ...buildArgs(c2, prepare.ctx)],
    {
      tmpDir: work,
    },
  );
  section.straced = st;
  section.strace = parseStraceSummary(fs.readFileSync(straceOut, "utf8"));
  log(`[${name}] strace -c -f ${st.seconds.toFixed(2)} s`);
  return section;
}

const ms = (x) => `${x.toFixed(0)} ms`;

function report(sections, meta) {
  const lines = [
    "# tsbuild profile (raw output of `npm run bench:profile`)",
    "",
    `${meta.date}; tsbuild ${meta.commit}; ${meta.load}`,
    "",
  ];
  for (const s of sections) {
    const cpu = (r) =>
      r.cpuSeconds
        ? `, CPU user ${r.cpuSeconds.user.toFixed(2)} s + sys ${r.cpuSeconds.sys.toFixed(2)} s`
        : "";
    lines.push(
      `## ${s.name}`,
      "",
      `- plain: wall ${s.plain.seconds.toFixed(2)} s${cpu(s.plain)}, peak RSS ${Math.round(s.plain.maxRssKB / 1024)} MB`,
      `- under --cpu-prof: wall ${s.profiled.seconds.toFixed(2)} s; under strace -f: wall ${s.straced.seconds.toFixed(2)} s`,
      "",
    );
    for (const [i, p] of s.profiles.entries()) {
      lines.push(
        `### CPU profile ${i + 1}/${s.profiles.length} (${p.file}): ${ms(p.durationMs)} profiled, ${ms(p.sampledMs)} sampled; ` +
          `idle ${ms(p.categories.idle)}, GC ${ms(p.categories.gc)}, program (native, unattributed) ${ms(p.categories.program)}`,
        "",
        "Self time by function (top 25):",
        "",
        "| ms | % | function | where |",
        "|---|---|---|---|",
        ...p.selfTop.map((f) => `| ${f.ms.toFixed(1)} | ${f.pct.toFixed(1)} | \`${f.name}\` | ${f.where} |`),
        "",
        "Inclusive time by function (top 30, recursion counted once):",
        "",
        "| ms | % | function | where |",
        "|---|---|---|---|",
        ...p.totalTop.map((f) => `| ${f.ms.toFixed(1)} | ${f.pct.toFixed(1)} | \`${f.name}\` | ${f.where} |`),
        "",
        "Self time by file (top 20):",
        "",
        "| ms | % | file |",
        "|---|---|---|",
        ...p.fileTop.map((f) => `| ${f.ms.toFixed(1)} | ${f.pct.toFixed(1)} | ${f.file} |`),
        "",
      );
    }
    const st = s.strace;
    lines.push(
      `### strace -c -f: ${st.totalCalls} calls, ${st.totalErrors} errors, ${st.totalSeconds.toFixed(3)} s in syscalls (strace's clock)`,
      "",
      "| % time | seconds | calls | errors | syscall |",
      "|---|---|---|---|---|",
      ...st.rows
        .slice(0, 25)
        .map((r) => `| ${r.pct} | ${r.seconds} | ${r.calls} | ${r.errors || ""} | ${r.syscall} |`),
      "",
      "<details><summary>progress output (last lines)</summary>",
      "",
      "```",
      s.progress,
      "```",
      "",
      "</details>",
      "",
    );
  }
  return lines.join("\n");
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: "string" }, "keep-profiles": { type: "string" } } });
  if (process.getuid() !== 0) throw new Error("run as root (RUN steps need it)");
  installSignalHandlers();
  await ensurePackages(["time", "strace", "docker-registry", "skopeo", "busybox-static", "pigz"]);
  const { dir: work, recordDaemon } = await createWorkDir();
  const bases = await serveBases({ work, cacheDir: null, recordDaemon, needDebian: false, log });
  const shape = (id) => SHAPES.find((s) => s.id === id);
  const steps = shape("steps").make(path.join(work, "ctx-steps"), bases);
  const big = shape("context").make(path.join(work, "ctx-context"), bases);
  const out = { keep: values["keep-profiles"] };
  const warm = async (fixture, cache) => {
    fixture.restore();
    await run(TSBUILD, buildArgs(cache, fixture.dir), { tmpDir: work });
    return cache;
  };

  const noChange = async (cache) => warm(steps, cache);
  noChange.ctx = steps.dir;
  const cold = async (cache) => {
    big.restore();
    return cache;
  };
  cold.ctx = big.dir;
  const edit = async (cache) => {
    await warm(big, cache);
    big.edit();
    return cache;
  };
  edit.ctx = big.dir;

  const sections = [];
  sections.push(await profileCase(work, "steps-no-change", noChange, out));
  sections.push(await profileCase(work, "context-cold", cold, out));
  sections.push(await profileCase(work, "context-edit", edit, out));
  const commit = await run("git", ["-C", ROOT, "log", "-1", "--format=%h"], { allowFail: true });
  const text = report(sections, {
    date: new Date().toISOString(),
    commit: commit.stdout.trim(),
    load: `load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} on 2 cores`,
  });
  if (values.out) fs.writeFileSync(values.out, text);
  else process.stdout.write(text);
  await runCleanups();
}

main().catch(async (err) => {
  await runCleanups();
  process.stderr.write(`bench:profile: failed: ${err.message}\n`);
  process.exitCode = 1;
});
