// A docker-registry (Debian's package) on a free loopback port, for every benchmark that needs one.
// Its pid goes to the caller's recordDaemon (workdir.js), so a later run stops it if this one is
// killed; stopDaemon or the cleanups (proc.js) stop it otherwise.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const path = require("node:path");
const { sleep, startDaemon, stopDaemon } = require("./proc");

/** A TCP port free on 127.0.0.1 now (closed again before it resolves). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

function httpUp(port) {
  return new Promise((resolve) =>
    http
      .get({ host: "127.0.0.1", port, path: "/v2/", timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      })
      .on("error", () => resolve(false)),
  );
}

/** A docker-registry on a free loopback port, storing under dir; {host, stop}. */
async function startRegistry(dir, recordDaemon) {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = path.join(dir, "config.yml");
  fs.writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${path.join(dir, "data")}`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  // REGISTRY_* variables override the file.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("REGISTRY_")));
  const daemon = startDaemon("/usr/bin/docker-registry", ["serve", config], {
    logFile: path.join(dir, "log"),
    env,
  });
  recordDaemon(daemon.pid);
  for (let i = 0; i < 200; i++) {
    if (await httpUp(port)) return { host: `127.0.0.1:${port}`, stop: () => stopDaemon(daemon) };
    if (!daemon.alive) break;
    await sleep(50);
  }
  await stopDaemon(daemon);
  throw new Error(`docker-registry did not start: ${fs.readFileSync(path.join(dir, "log"), "utf8")}`);
}

module.exports = { freePort, startRegistry };
