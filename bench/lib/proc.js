// Child processes for the benchmark: timed runs (wall clock in this process, peak RSS from GNU
// time's wait4 rusage), long-lived daemons, and one cleanup list that runs on normal exit, on an
// error and on SIGINT/SIGTERM/SIGHUP, so no daemon, mount or temp dir outlives the run.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const GNU_TIME = "/usr/bin/time";
const OUTPUT_TAIL = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 20 * 60 * 1000;

class CommandError extends Error {
  constructor(cmd, args, code, stderr) {
    super(`run ${cmd} ${args.join(" ")}: exit ${code}\n${stderr.slice(-3000)}`);
    this.name = "CommandError";
    this.code = code;
  }
}

/** Children that are running now (killed on a signal before the cleanups run). */
const running = new Set();
/** Cleanup actions, run last-registered first. */
const cleanups = [];
let cleaning = null;

function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

async function runCleanups() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    for (const child of running) child.kill("SIGKILL");
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`bench: cleanup failed: ${err.message}\n`);
      }
    }
  })();
  return cleaning;
}

function installSignalHandlers() {
  for (const [sig, num] of [
    ["SIGINT", 2],
    ["SIGTERM", 15],
    ["SIGHUP", 1],
  ]) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping daemons and removing temp dirs...\n`);
      runCleanups().finally(() => process.exit(128 + num));
    });
  }
}

function keepTail(buf, chunk) {
  const s = buf + chunk.toString();
  return s.length > OUTPUT_TAIL ? s.slice(-OUTPUT_TAIL) : s;
}

/**
 * Runs cmd to completion. Options: env (merged over process.env), cwd, stdin (a string),
 * allowFail, measureRss (wrap in GNU time: peak RSS of the largest process of the tree, in KB, and
 * the user/system CPU seconds of the tree's reaped processes), tmpDir (for GNU time's output),
 * timeoutMs (default 20 min: then the child is killed and the run fails).
 * Resolves {seconds, maxRssKB, cpuSeconds, code, stdout, stderr} (output tails only).
 */
function run(cmd, args, opts = {}) {
  let rssFile = null;
  let argv = [cmd, ...args];
  if (opts.measureRss) {
    rssFile = path.join(opts.tmpDir, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    argv = [GNU_TIME, "-f", "%M %U %S", "-o", rssFile, ...argv];
  }
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ...(opts.env || {}) },
      cwd: opts.cwd,
      stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    running.add(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs || DEFAULT_TIMEOUT_MS);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout = keepTail(stdout, c)));
    child.stderr.on("data", (c) => (stderr = keepTail(stderr, c)));
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    child.on("error", (err) => {
      clearTimeout(timer);
      running.delete(child);
      reject(err);
    });
    child.on("close", (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      clearTimeout(timer);
      running.delete(child);
      if (timedOut) {
        reject(new CommandError(cmd, args, `timed out after ${seconds.toFixed(0)} s`, stderr || stdout));
        return;
      }
      let maxRssKB = null;
      let cpuSeconds = null;
      if (rssFile) {
        try {
          const lines = fs.readFileSync(rssFile, "utf8").trim().split("\n");
          const [rss, user, sys] = lines[lines.length - 1].split(" ").map(Number);
          maxRssKB = rss;
          cpuSeconds = { user, sys };
        } catch {
          /* GNU time did not write it (killed) */
        }
        fs.rmSync(rssFile, { force: true });
      }
      const status = code === null ? 128 : code;
      if (status !== 0 && !opts.allowFail) {
        reject(new CommandError(cmd, args, signal || status, stderr || stdout));
        return;
      }
      resolve({ seconds, maxRssKB, cpuSeconds, code: status, stdout, stderr });
    });
  });
}

/** Starts a long-lived process with output to logFile; stopped by stopDaemon or the cleanups. */
function startDaemon(cmd, args, { logFile, env }) {
  const log = fs.openSync(logFile, "a");
  const child = spawn(cmd, args, { env: env || process.env, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const daemon = { child, exited, pid: child.pid, alive: true };
  child.on("exit", () => (daemon.alive = false));
  daemon.removeCleanup = onCleanup(() => stopDaemon(daemon));
  return daemon;
}

/** SIGTERM, up to graceMs, then SIGKILL; resolves once the process is gone. */
async function stopDaemon(daemon, graceMs = 15000) {
  daemon.removeCleanup();
  if (!daemon.alive) return;
  daemon.child.kill("SIGTERM");
  const timer = setTimeout(() => daemon.child.kill("SIGKILL"), graceMs);
  await daemon.exited;
  clearTimeout(timer);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Unmounts (lazily, deepest first) every mount point under dir, then removes dir. */
async function removeTree(dir) {
  const prefix = path.resolve(dir) + "/";
  const mounts = fs
    .readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m) => m && (m + "/").startsWith(prefix))
    .map((m) => m.replace(/\\040/g, " "))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run("umount", ["-l", m], { allowFail: true });
  for (let attempt = 0; ; attempt++) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(500);
    }
  }
}

module.exports = {
  CommandError,
  installSignalHandlers,
  onCleanup,
  removeTree,
  run,
  runCleanups,
  sleep,
  startDaemon,
  stopDaemon,
};
