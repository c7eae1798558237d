#!/usr/bin/env node
// Cache-mount benchmark (issue #18): the time of an npm-style RUN step on a CI machine whose
// cache is empty ("cold"), on one whose cache mount was restored from another machine's
// --cache-to through a local docker-registry ("restored"), and on the machine that filled it
// ("warm local"). The step "installs" N packages of SIZE bytes: a package missing from the cache
// mount is fetched with busybox wget from a loopback HTTP server that waits DELAY ms per request
// (a stand-in for a package registry's round trip; with 0 it is pure loopback), then copied into
// node_modules; a package already in the mount is only copied. Each variant uses a fresh cache
// dir and a build arg that changes the step's key, so the step runs every time; the step time is
// the step-done duration (it includes the mount restore). Reads dist/ (npm run build first).
// Usage: node bench/cache-mount.js [--packages N] [--size BYTES] [--delay MS] [--runs N]
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { installSignalHandlers, runCleanups } = require("./lib/proc");
const { freePort, startRegistry } = require("./lib/registry");
const { createWorkDir } = require("./lib/workdir");

const dist = path.resolve(__dirname, "..", "dist");
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const PACKAGES = opt("--packages", 400);
const SIZE = opt("--size", 64 * 1024);
const DELAY = opt("--delay", 20);
const RUNS = opt("--runs", 3);

/** The "package registry": /pkg/<i>.tgz → SIZE pseudo-random bytes after DELAY ms. */
async function startPackageServer() {
  const port = await freePort();
  const body = crypto.randomBytes(SIZE);
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    setTimeout(() => res.end(Buffer.concat([Buffer.from(req.url), body])), DELAY);
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { port, requests: () => requests, close: () => server.close() };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const { build } = require(path.join(dist, "index.js"));
  installSignalHandlers();
  const { dir: work, recordDaemon } = await createWorkDir();
  let pkgs;
  try {
    const registry = await startRegistry(path.join(work, "registry"), recordDaemon);
    pkgs = await startPackageServer();
    const ctx = path.join(work, "ctx");
    fs.mkdirSync(ctx);
    fs.copyFileSync("/bin/busybox", path.join(ctx, "busybox"));
    fs.chmodSync(path.join(ctx, "busybox"), 0o755);
    fs.writeFileSync(
      path.join(ctx, "install.sh"),
      [
        "set -e",
        "mkdir -p /root/.npm/_cacache /app/node_modules",
        `i=0; while [ $i -lt ${PACKAGES} ]; do`,
        "  f=/root/.npm/_cacache/$i.tgz",
        `  [ -f $f ] || wget -q -O $f http://127.0.0.1:${pkgs.port}/pkg/$i.tgz`,
        "  cp $f /app/node_modules/",
        "  i=$((i+1))",
        "done",
        "",
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCOPY install.sh /install.sh\n' +
        "ARG RUN_ID\nRUN --network=host --mount=type=cache,id=npm,target=/root/.npm echo $RUN_ID && sh /install.sh\n",
    );
    const ref = `${registry.host}/bench/cache:main`;
    let n = 0;
    const stepTime = async (cacheDir, extra) => {
      const events = [];
      const r = await build({
        context: ctx,
        cacheDir,
        allow: ["network.host"],
        buildArgs: { RUN_ID: String(++n) },
        onEvent: (e) => events.push(e),
        ...extra,
      });
      const last = r.steps[r.steps.length - 1];
      const done = events.find((e) => e.type === "step-done" && e.id === last.id);
      return { seconds: done.durationMs / 1000, result: r };
    };
    const rows = { cold: [], restored: [], restoreOnly: [], warmLocal: [], export: [] };
    for (let i = 0; i < RUNS; i++) {
      const a = path.join(work, `a${i}`);
      const before = pkgs.requests();
      const cold = await stepTime(a, {});
      if (pkgs.requests() - before !== PACKAGES) throw new Error("cold run did not fetch every package");
      rows.cold.push(cold.seconds);
      const t0 = process.hrtime.bigint();
      await build({
        context: ctx,
        cacheDir: a,
        allow: ["network.host"],
        buildArgs: { RUN_ID: String(n) },
        cacheTo: [{ type: "registry", ref, cacheMounts: ["npm"] }],
      });
      rows.export.push(Number(process.hrtime.bigint() - t0) / 1e9);
      rows.warmLocal.push((await stepTime(a, {})).seconds);
      const b = path.join(work, `b${i}`);
      const mid = pkgs.requests();
      const restored = await stepTime(b, { cacheFrom: [{ type: "registry", ref }] });
      if (pkgs.requests() !== mid)
        throw new Error("restored run fetched packages: the mount was not restored");
      if (restored.result.remoteCache.mountsRestored.length !== 1) throw new Error("no mount restored");
      rows.restored.push(restored.seconds);
      rows.restoreOnly.push(restored.result.remoteCache.mountsRestored[0].durationMs / 1000);
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
    const mb = ((PACKAGES * SIZE) / 1e6).toFixed(1);
    console.log(
      `cache mount of ${PACKAGES} packages × ${SIZE} B (${mb} MB), ${DELAY} ms per package fetch, ${RUNS} run(s), median seconds:`,
    );
    console.log(
      `  RUN step, cold (empty cache, fetches every package):   ${median(rows.cold).toFixed(2)}  [${rows.cold.map((s) => s.toFixed(2)).join(", ")}]`,
    );
    console.log(
      `  RUN step, restored from machine A via the registry:    ${median(rows.restored).toFixed(2)}  [${rows.restored.map((s) => s.toFixed(2)).join(", ")}]`,
    );
    console.log(
      `  of which the mount restore: ${median(rows.restoreOnly).toFixed(2)}  [${rows.restoreOnly.map((s) => s.toFixed(2)).join(", ")}]`,
    );
    console.log(
      `  RUN step, warm local mount (machine A again):          ${median(rows.warmLocal).toFixed(2)}  [${rows.warmLocal.map((s) => s.toFixed(2)).join(", ")}]`,
    );
    console.log(
      `  whole cached build + --cache-to with the mount (A):   ${median(rows.export).toFixed(2)}  [${rows.export.map((s) => s.toFixed(2)).join(", ")}]`,
    );
  } finally {
    if (pkgs) pkgs.close();
    // Stops the registry, then unmounts and removes the work dir.
    await runCleanups();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
