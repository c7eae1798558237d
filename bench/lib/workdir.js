// The run's temp dir (/tmp/tsbuild-bench-run-*), stamped with this process's pid and start time,
// with a list of the daemons started in it. A later run sweeps dirs whose owner is dead (the
// harness was SIGKILLed): it stops the listed daemons still alive (same pid *and* start time, so a
// recycled pid is never hit), unmounts and removes the dir.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { onCleanup, removeTree, sleep } = require("./proc");

const PREFIX = "tsbuild-bench-run-";

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or null if pid is gone. */
function startTime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return null;
  }
}

function stamp(pid) {
  return `${pid} ${startTime(pid)}`;
}

function isAlive(line) {
  const [pid, start] = line.trim().split(" ");
  return pid !== undefined && startTime(pid) === start;
}

async function sweepStale(parent) {
  for (const name of fs.readdirSync(parent)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(parent, name);
    let owner;
    try {
      owner = fs.readFileSync(path.join(dir, "owner"), "utf8");
    } catch {
      continue;
    }
    if (isAlive(owner)) continue;
    let daemons = [];
    try {
      daemons = fs.readFileSync(path.join(dir, "daemons"), "utf8").split("\n").filter(Boolean);
    } catch {
      /* none started */
    }
    for (const line of daemons.filter(isAlive)) process.kill(Number(line.split(" ")[0]), "SIGTERM");
    for (let i = 0; i < 50 && daemons.some(isAlive); i++) await sleep(200);
    for (const line of daemons.filter(isAlive)) process.kill(Number(line.split(" ")[0]), "SIGKILL");
    process.stderr.write(`bench: removing ${dir} left by a dead run\n`);
    await removeTree(dir);
  }
}

/** Creates the run dir (removed by the cleanups) after sweeping dead runs' dirs. */
async function createWorkDir() {
  const parent = process.env.BENCH_TMPDIR || os.tmpdir();
  await sweepStale(parent);
  const dir = fs.mkdtempSync(path.join(parent, PREFIX));
  fs.writeFileSync(path.join(dir, "owner"), stamp(process.pid));
  onCleanup(() => removeTree(dir));
  return {
    dir,
    /** Records a daemon's pid so that a later run can stop it if this one is killed. */
    recordDaemon: (pid) => fs.appendFileSync(path.join(dir, "daemons"), stamp(pid) + "\n"),
  };
}

module.exports = { createWorkDir };
