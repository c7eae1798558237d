// The three builders, each behind the same small interface:
//   setup(dir)                 -> state (a fresh cache / daemon / storage root: a cold start)
//   build(state, ctx, opts)    -> {seconds, maxRssKB}  (opts.tag, opts.output for tsbuild)
//   teardown(state)
// tsbuild is the CLI from dist/, one new process per build as a user runs it; BuildKit is the one
// embedded in a private dockerd 20.10 driven by the 20.10 /usr/bin/docker client; Buildah is
// `buildah bud --layers` with a private root. Peak RSS: GNU time around tsbuild and buildah (the
// largest process of the tree); for BuildKit dockerd's VmHWM, reset before each build.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { run, removeTree, sleep, startDaemon, stopDaemon } = require("./proc");

const TSBUILD = path.resolve(__dirname, "..", "..", "dist", "cli", "main.js");

let counter = 0;
function freshDir(parent, name) {
  const dir = path.join(parent, `${name}-${++counter}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const tsbuild = {
  name: "tsbuild",
  packages: [],
  async setup(parent) {
    return { dir: freshDir(parent, "ts"), cache: null, tmp: parent };
  },
  async build(state, ctx, opts = {}) {
    state.cache = state.cache || path.join(state.dir, "cache");
    const args = [
      "build",
      "--progress",
      "plain",
      "--cache-dir",
      state.cache,
      "-t",
      opts.tag || "bench:latest",
    ];
    if (opts.output) args.push("-o", opts.output);
    args.push(ctx);
    return run(TSBUILD, args, { measureRss: true, tmpDir: state.tmp, env: opts.env });
  },
  async teardown(state) {
    await removeTree(state.dir);
  },
};

/** utime+cutime and stime+cstime of a process, in seconds. */
function daemonCpu(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  const hz = 100;
  return { user: (f[11] + f[13]) / hz, sys: (f[12] + f[14]) / hz };
}

const buildkit = {
  name: "buildkit",
  packages: ["docker.io"],
  async setup(parent, recordDaemon) {
    const dir = freshDir(parent, "bk");
    const sock = path.join(dir, "d.sock");
    const daemon = startDaemon(
      "/usr/sbin/dockerd",
      [
        "--data-root",
        path.join(dir, "root"),
        "--exec-root",
        path.join(dir, "x"),
        "--pidfile",
        path.join(dir, "d.pid"),
        "--host",
        `unix://${sock}`,
        "--iptables=false",
        "--ip-masq=false",
        "--bridge=none",
        "--storage-driver",
        "overlay2",
      ],
      { logFile: path.join(dir, "dockerd.log") },
    );
    recordDaemon(daemon.pid);
    const state = {
      dir,
      sock,
      daemon,
      tmp: parent,
      env: { DOCKER_HOST: `unix://${sock}`, DOCKER_BUILDKIT: "1" },
    };
    for (let i = 0; i < 300; i++) {
      if (!daemon.alive) break;
      const r = await run("/usr/bin/docker", ["version"], { env: state.env, allowFail: true });
      if (r.code === 0) return state;
      await sleep(100);
    }
    await this.teardown(state);
    throw new Error(
      `dockerd did not start: ${fs.readFileSync(path.join(dir, "dockerd.log"), "utf8").slice(-2000)}`,
    );
  },
  async build(state, ctx, opts = {}) {
    const pid = state.daemon.pid;
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    const before = daemonCpu(pid);
    const r = await run(
      "/usr/bin/docker",
      ["build", "--network", "host", "--progress", "plain", "-t", opts.tag || "bench:latest", ctx],
      { env: state.env, measureRss: true, tmpDir: state.tmp },
    );
    const after = daemonCpu(pid);
    const hwm = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+)/);
    // CPU: the client's plus what dockerd and the children it reaped (runc, RUN processes) used.
    const cpuSeconds = r.cpuSeconds && {
      user: r.cpuSeconds.user + (after.user - before.user),
      sys: r.cpuSeconds.sys + (after.sys - before.sys),
    };
    return { ...r, maxRssKB: hwm ? Number(hwm[1]) : null, cpuSeconds };
  },
  async teardown(state) {
    await stopDaemon(state.daemon);
    await removeTree(state.dir);
  },
};

const buildah = {
  name: "buildah",
  packages: ["buildah"],
  async setup(parent) {
    const dir = freshDir(parent, "bh");
    return { dir, root: path.join(dir, "root"), runroot: path.join(dir, "run"), tmp: parent };
  },
  globalArgs(state) {
    return ["--root", state.root, "--runroot", state.runroot, "--storage-driver", "overlay"];
  },
  async build(state, ctx, opts = {}) {
    return run(
      "/usr/bin/buildah",
      [
        ...this.globalArgs(state),
        "bud",
        "--layers",
        "--isolation",
        "chroot",
        "--tls-verify=false",
        "-t",
        opts.tag || "bench:latest",
        ctx,
      ],
      { measureRss: true, tmpDir: state.tmp, env: { TMPDIR: state.dir } },
    );
  },
  /** buildah push of the built image to an OCI archive (compresses every layer). */
  async exportOci(state, tag, dest) {
    return run("/usr/bin/buildah", [...this.globalArgs(state), "push", "-q", tag, `oci-archive:${dest}`], {
      measureRss: true,
      tmpDir: state.tmp,
      env: { TMPDIR: state.dir },
    });
  },
  async teardown(state) {
    await run("/usr/bin/buildah", [...this.globalArgs(state), "rm", "--all"], { allowFail: true });
    await removeTree(state.dir);
  },
};

const BUILDERS = { tsbuild, buildkit, buildah };

module.exports = { BUILDERS, TSBUILD };
