// The host: Debian packages the benchmark needs (installed when missing, as root), a description
// of the machine for the report, and a monitor of the CPU time other processes took during the
// run (the machine is shared; the figures are only as good as the quiet they were taken in).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const { run } = require("./proc");

/** What each package provides, checked by path. */
const PACKAGES = {
  "docker.io": ["/usr/sbin/dockerd", "/usr/bin/docker"],
  buildah: ["/usr/bin/buildah"],
  debootstrap: ["/usr/sbin/debootstrap"],
  pigz: ["/usr/bin/pigz"],
  "docker-registry": ["/usr/bin/docker-registry"],
  skopeo: ["/usr/bin/skopeo"],
  "busybox-static": ["/bin/busybox"],
  strace: ["/usr/bin/strace"],
  time: ["/usr/bin/time"],
};

function isStaticBusybox() {
  // /bin/busybox from the dynamic `busybox` package would not run in a FROM-scratch image.
  try {
    const head = Buffer.alloc(4096);
    const fd = fs.openSync("/bin/busybox", "r");
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    return !head.includes("ld-linux");
  } catch {
    return false;
  }
}

function missingPackages(names) {
  return names.filter((name) => {
    if (name === "busybox-static") return !isStaticBusybox();
    return !PACKAGES[name].every((p) => fs.existsSync(p));
  });
}

async function ensurePackages(names) {
  const missing = missingPackages(names);
  if (missing.length === 0) return;
  if (process.getuid() !== 0)
    throw new Error(`missing Debian packages ${missing.join(", ")}; run as root to install them`);
  process.stderr.write(`bench: installing ${missing.join(" ")}\n`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq", "-o", "DPkg::Lock::Timeout=600"], { env });
  await run("apt-get", ["install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=600", ...missing], { env });
  const still = missingPackages(missing);
  if (still.length > 0) throw new Error(`installing ${still.join(", ")} did not provide their files`);
}

async function version(cmd, args) {
  try {
    const r = await run(cmd, args, { allowFail: true });
    return (r.stdout || r.stderr).trim().split("\n")[0];
  } catch {
    return "not installed";
  }
}

async function machineInfo(root) {
  const cpu = os.cpus();
  const osRelease = fs.readFileSync("/etc/os-release", "utf8").match(/^PRETTY_NAME="?([^"\n]*)/m);
  const git = await run("git", ["-C", root, "log", "-1", "--format=%h %s"], { allowFail: true });
  const dirty = await run("git", ["-C", root, "status", "--porcelain", "--", "src"], { allowFail: true });
  return {
    date: new Date().toISOString(),
    cpu: `${cpu.length} × ${cpu[0] ? cpu[0].model : "?"}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.release()}`,
    os: osRelease ? osRelease[1] : "?",
    node: process.version,
    tsbuild: `${git.stdout.trim()}${dirty.stdout.trim() ? " (src/ modified)" : ""}`,
    docker: await version("/usr/sbin/dockerd", ["--version"]),
    buildah: await version("/usr/bin/buildah", ["--version"]),
    registry: await version("/usr/bin/docker-registry", ["--version"]),
  };
}

/** utime+stime+cutime+cstime of a /proc/PID/stat, in clock ticks, and its comm and ppid. */
function readStat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    return { pid, comm, ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]), start: f[19] };
  } catch {
    return null;
  }
}

function cpuTicks() {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return { busy: f[0] + f[1] + f[2] + f[5] + f[6], steal: f[7] || 0, all: f.reduce((a, b) => a + b, 0) };
}

/**
 * Samples every process every few seconds and charges the CPU time each one used between two
 * samples to its command name, unless it descends from this process (our builders and daemons).
 * Short-lived processes that start and end between samples are missed; the /proc/stat totals
 * (busy time of the whole machine minus ours) are not.
 */
class CpuMonitor {
  constructor(intervalMs = 3000) {
    this.intervalMs = intervalMs;
    this.others = new Map(); // comm -> ticks
    this.last = new Map(); // pid -> {cpu, start}
    this.load = [];
    this.hz = 100;
  }

  start() {
    this.t0 = Date.now();
    this.ticks0 = cpuTicks();
    this.self0 = this.selfTicks();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  selfTicks() {
    const s = fs.readFileSync("/proc/self/stat", "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }

  sample() {
    const stats = fs
      .readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .map(readStat)
      .filter(Boolean);
    const byPid = new Map(stats.map((s) => [s.pid, s]));
    const ours = (s) => {
      for (let p = s, hops = 0; p && hops < 64; p = byPid.get(String(p.ppid)), hops++)
        if (Number(p.pid) === process.pid) return true;
      return false;
    };
    const next = new Map();
    for (const s of stats) {
      const prev = this.last.get(s.pid);
      const base = prev && prev.start === s.start ? prev.cpu : this.last.size === 0 ? s.cpu : 0;
      if (!ours(s) && s.cpu > base) this.others.set(s.comm, (this.others.get(s.comm) || 0) + s.cpu - base);
      next.set(s.pid, { cpu: s.cpu, start: s.start });
    }
    this.last = next;
    this.load.push(Number(fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]));
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    const t = cpuTicks();
    const seconds = (Date.now() - this.t0) / 1000;
    const busy = (t.busy - this.ticks0.busy) / this.hz;
    const ours = (this.selfTicks() - this.self0) / this.hz;
    const top = [...this.others.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([comm, ticks]) => ({ comm, seconds: ticks / this.hz }));
    return {
      wallSeconds: seconds,
      machineBusySeconds: busy,
      stealSeconds: (t.steal - this.ticks0.steal) / this.hz,
      // Our reaped children are in cutime/cstime; daemons still running at stop() are not yet.
      othersSeconds: Math.max(0, busy - ours),
      cores: os.cpus().length,
      loadMin: Math.min(...this.load),
      loadMax: Math.max(...this.load),
      loadMean: this.load.reduce((a, b) => a + b, 0) / this.load.length,
      topOthers: top,
    };
  }
}

module.exports = { CpuMonitor, ensurePackages, machineInfo, PACKAGES };
