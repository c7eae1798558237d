import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A real `docker-registry` (distribution 2.8, Debian package) on 127.0.0.1 for tests: a config
 * file and storage in a temp dir, REGISTRY_* variables unset (they override the file), optional
 * htpasswd basic auth or token auth. `stop()` kills it and removes the temp dir.
 */
export interface TestRegistry {
  /** "127.0.0.1:PORT" — the registry part of references. */
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export interface TestRegistryOptions {
  /** Basic auth users (written with `htpasswd -Bbn`). */
  htpasswd?: Record<string, string>;
  /** Token auth: the registry trusts JWTs signed by the key of `rootCertBundle`. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/v2/", timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

export async function startRegistry(opts: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-registry-"));
  const port = await freePort();
  const lines = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${path.join(dir, "data")}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    "  secret: tsbuild-test-secret",
  ];
  if (opts.htpasswd) {
    const file = path.join(dir, "htpasswd");
    const entries = Object.entries(opts.htpasswd).map(([u, p]) =>
      execFileSync("htpasswd", ["-Bbn", u, p], { encoding: "utf8" }).trim(),
    );
    fs.writeFileSync(file, entries.join("\n") + "\n");
    lines.push("auth:", "  htpasswd:", "    realm: tsbuild-test", `    path: ${file}`);
  } else if (opts.token) {
    const t = opts.token;
    lines.push(
      "auth:",
      "  token:",
      `    realm: ${t.realm}`,
      `    service: ${t.service}`,
      `    issuer: ${t.issuer}`,
      `    rootcertbundle: ${t.rootCertBundle}`,
    );
  }
  const configFile = path.join(dir, "config.yml");
  fs.writeFileSync(configFile, lines.join("\n") + "\n");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("REGISTRY_")));
  const logFile = path.join(dir, "registry.log");
  const log = fs.openSync(logFile, "w");
  const child: ChildProcess = spawn("docker-registry", ["serve", configFile], {
    env,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  let exited = false;
  child.on("exit", () => (exited = true));
  const deadline = Date.now() + 15_000;
  while (!(await ping(port))) {
    if (exited || Date.now() > deadline) {
      child.kill("SIGKILL");
      const out = fs.readFileSync(logFile, "utf8");
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start on 127.0.0.1:${port}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    dir,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await gone;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
