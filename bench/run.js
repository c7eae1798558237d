#!/usr/bin/env node
// `npm run bench`: tsbuild side by side with BuildKit (dockerd 20.10's embedded builder) and
// Buildah on the same contexts, in one run, printing times and ratios. Each tool gets a fresh
// private root per scenario; nothing listens on anything but a unix socket in a temp dir.
// Scenarios (skipped with a note when a tool is missing):
//   copy-cold      FROM scratch + COPY . of 20,000 small files + 120 MB (cold cache)
//   copy-rebuild   the same again, nothing changed
//   meta-rebuild   a 15-step image rebuilt with nothing changed
//   parallel-cold  three independent stages of ~2.5 s each (RUN sleep), then a final COPY --from
"use strict";
const { execFileSync, spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-bench-"));
const only = process.argv.slice(2);

function have(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

function writeTree(dir, files) {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
}

function bigContext(dir) {
  const rnd = (n) => require("node:crypto").randomBytes(n);
  for (let d = 0; d < 100; d++) {
    fs.mkdirSync(path.join(dir, "small", String(d)), { recursive: true });
    for (let f = 0; f < 200; f++)
      fs.writeFileSync(path.join(dir, "small", String(d), `f${f}.txt`), `file ${d}/${f}\n`.repeat(20));
  }
  fs.mkdirSync(path.join(dir, "large"));
  for (let i = 0; i < 6; i++) {
    const text = Buffer.alloc(10 << 20, `line ${i} of compressible text\n`);
    fs.writeFileSync(path.join(dir, "large", `text${i}.bin`), text);
    fs.writeFileSync(path.join(dir, "large", `rand${i}.bin`), rnd(10 << 20));
  }
}

function scenarios() {
  const list = [];
  const copy = path.join(work, "ctx-copy");
  fs.mkdirSync(copy);
  bigContext(copy);
  fs.writeFileSync(path.join(copy, "Dockerfile"), "FROM scratch\nCOPY . /ctx/\n");
  list.push({ name: "copy-cold", dir: copy, warm: false });
  list.push({ name: "copy-rebuild", dir: copy, warm: true });

  const meta = path.join(work, "ctx-meta");
  const lines = ["FROM scratch"];
  const files = {};
  for (let i = 0; i < 7; i++) {
    files[`f${i}.txt`] = `content ${i}\n`;
    lines.push(`COPY f${i}.txt /data/f${i}.txt`, `ENV STEP${i}=${i}`);
  }
  writeTree(meta, { ...files, Dockerfile: lines.join("\n") + "\n" });
  list.push({ name: "meta-rebuild", dir: meta, warm: true });

  if (fs.existsSync("/bin/busybox")) {
    const par = path.join(work, "ctx-parallel");
    writeTree(par, {
      busybox: fs.readFileSync("/bin/busybox"),
      Dockerfile: [
        "FROM scratch AS base",
        "COPY busybox /bin/busybox",
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        ...["a", "b", "c"].flatMap((n) => [`FROM base AS ${n}`, `RUN sleep 2.5 && echo ${n} > /${n}`]),
        "FROM base",
        "COPY --from=a /a /a",
        "COPY --from=b /b /b",
        "COPY --from=c /c /c",
        "",
      ].join("\n"),
    });
    fs.chmodSync(path.join(par, "busybox"), 0o755);
    list.push({ name: "parallel-cold", dir: par, warm: false });
  }
  return list.filter((s) => only.length === 0 || only.includes(s.name));
}

function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr.toString().slice(-2000)}`);
}

const tools = {
  tsbuild: {
    available: () => fs.existsSync(path.join(root, "dist/cli/main.js")),
    setup: (dir) => ({ cache: fs.mkdtempSync(path.join(dir, "tsbuild-")) }),
    build: (s, ctx) =>
      run(process.execPath, [
        path.join(root, "dist/cli/main.js"),
        "build",
        "--progress",
        "quiet",
        "--cache-dir",
        s.cache,
        "-t",
        "bench:latest",
        ctx,
      ]),
    teardown: (s) => fs.rmSync(s.cache, { recursive: true, force: true }),
  },
  buildkit: {
    available: () => have("dockerd") && fs.existsSync("/usr/bin/docker"),
    setup: (dir) => startDockerd(dir),
    build: (s, ctx) =>
      run("/usr/bin/docker", ["build", "--network", "host", "--progress", "plain", "-t", "bench", ctx], {
        DOCKER_HOST: `unix://${s.sock}`,
        DOCKER_BUILDKIT: "1",
      }),
    teardown: (s) => stopDockerd(s),
  },
  buildah: {
    available: () => have("buildah"),
    setup: (dir) => ({
      root: fs.mkdtempSync(path.join(dir, "buildah-")),
      runroot: fs.mkdtempSync(path.join(dir, "buildah-run-")),
    }),
    build: (s, ctx) =>
      run("buildah", [
        "--root",
        s.root,
        "--runroot",
        s.runroot,
        "--storage-driver",
        "overlay",
        "bud",
        "--layers",
        "--isolation",
        "chroot",
        "-q",
        "-t",
        "bench",
        ctx,
      ]),
    teardown: (s) => {
      spawnSync("buildah", ["--root", s.root, "--runroot", s.runroot, "rm", "--all"]);
      spawnSync("sh", [
        "-c",
        `umount -R ${s.root}/overlay/*/merged 2>/dev/null; umount ${s.root}/overlay 2>/dev/null; true`,
      ]);
      fs.rmSync(s.root, { recursive: true, force: true });
      fs.rmSync(s.runroot, { recursive: true, force: true });
    },
  },
};

function startDockerd(dir) {
  const base = fs.mkdtempSync(path.join(dir, "dockerd-"));
  const s = { base, sock: path.join(base, "d.sock"), pidfile: path.join(base, "d.pid") };
  const log = fs.openSync(path.join(base, "log"), "w");
  s.proc = spawn(
    "dockerd",
    [
      "--data-root",
      path.join(base, "root"),
      "--exec-root",
      path.join(base, "exec"),
      "--pidfile",
      s.pidfile,
      "--host",
      `unix://${s.sock}`,
      "--iptables=false",
      "--ip-masq=false",
      "--bridge=none",
      "--storage-driver",
      "overlay2",
    ],
    { stdio: ["ignore", log, log] },
  );
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (
      spawnSync("/usr/bin/docker", ["info"], {
        env: { ...process.env, DOCKER_HOST: `unix://${s.sock}` },
        stdio: "ignore",
      }).status === 0
    )
      return s;
    spawnSync("sleep", ["0.2"]);
  }
  throw new Error(`dockerd did not start: ${fs.readFileSync(path.join(base, "log"), "utf8").slice(-1500)}`);
}

function stopDockerd(s) {
  s.proc.kill("SIGTERM");
  spawnSync("sh", [
    "-c",
    `for i in $(seq 50); do kill -0 ${s.proc.pid} 2>/dev/null || break; sleep 0.2; done`,
  ]);
  spawnSync("sh", [
    "-c",
    `grep -o '${s.base}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null; true`,
  ]);
  fs.rmSync(s.base, { recursive: true, force: true });
}

function main() {
  try {
    execFileSync(process.execPath, [path.join(root, "scripts/build-grammar.js")]);
  } catch {
    /* built by npm run bench already */
  }
  const list = scenarios();
  const results = [];
  for (const sc of list) {
    const row = { scenario: sc.name };
    for (const [name, tool] of Object.entries(tools)) {
      if (!tool.available()) {
        row[name] = "n/a";
        continue;
      }
      const state = tool.setup(work);
      try {
        if (sc.warm) tool.build(state, sc.dir);
        row[name] = time(() => tool.build(state, sc.dir));
      } catch (err) {
        row[name] = `failed: ${String(err.message).split("\n").slice(-3).join(" ").slice(0, 160)}`;
      } finally {
        tool.teardown(state);
      }
    }
    results.push(row);
    print(row);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

function print(row) {
  const fmt = (v) => (typeof v === "number" ? `${v.toFixed(2)} s` : v);
  const ratio = (other) =>
    typeof row.tsbuild === "number" && typeof row[other] === "number"
      ? `${(row.tsbuild / row[other]).toFixed(2)}x`
      : "-";
  console.log(
    `${row.scenario.padEnd(14)} tsbuild ${fmt(row.tsbuild)} | buildkit ${fmt(row.buildkit)} (tsbuild/buildkit ${ratio("buildkit")}) | buildah ${fmt(row.buildah)} (tsbuild/buildah ${ratio("buildah")})`,
  );
}

main();
