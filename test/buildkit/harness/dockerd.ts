import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A private dockerd 20.10 (Debian's docker.io, BuildKit embedded) with its own data root, exec
 * root, pid file and socket under `dir`, on no network of its own (flags from shared/TOOLS.md).
 * Builds use the 20.10 client `/usr/bin/docker` with DOCKER_BUILDKIT=1.
 */
export interface PrivateDockerd {
  socket: string;
  dir: string;
  env: NodeJS.ProcessEnv;
}

export const DOCKER_CLIENT = "/usr/bin/docker";

export function dockerdPaths(dir: string) {
  return {
    dataRoot: path.join(dir, "data"),
    execRoot: path.join(dir, "exec"),
    pidfile: path.join(dir, "dockerd.pid"),
    socket: path.join(dir, "docker.sock"),
    log: path.join(dir, "dockerd.log"),
  };
}

export function dockerEnv(socket: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_BUILDKIT: "1",
    // Where the harness reads configs of layerless images, which `docker save` refuses.
    TSBUILD_BK_DOCKER_DATA_ROOT: path.join(path.dirname(socket), "data"),
  };
  delete env.DOCKER_CONFIG;
  delete env.DOCKER_CONTEXT;
  return env;
}

export async function startDockerd(dir: string): Promise<PrivateDockerd> {
  const p = dockerdPaths(dir);
  fs.mkdirSync(dir, { recursive: true });
  const log = fs.openSync(p.log, "w");
  const child = spawn(
    "dockerd",
    [
      "--data-root",
      p.dataRoot,
      "--exec-root",
      p.execRoot,
      "--pidfile",
      p.pidfile,
      "--host",
      `unix://${p.socket}`,
      "--iptables=false",
      "--ip-masq=false",
      "--bridge=none",
      "--storage-driver",
      "overlay2",
    ],
    { stdio: ["ignore", log, log], detached: true },
  );
  fs.closeSync(log);
  child.unref();
  let exited = false;
  child.on("exit", () => (exited = true));
  const env = dockerEnv(p.socket);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (
      fs.existsSync(p.socket) &&
      spawnSync(DOCKER_CLIENT, ["version"], { env, timeout: 10_000 }).status === 0
    )
      break;
    if (exited || Date.now() > deadline) {
      stopDockerd(dir);
      throw new Error(`dockerd did not start:\n${fs.readFileSync(p.log, "utf8").slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { socket: p.socket, dir, env };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

function waitGone(pid: number, ms: number): boolean {
  const end = Date.now() + ms;
  while (alive(pid) && Date.now() < end) spawnSync("sleep", ["0.1"]);
  return !alive(pid);
}

/** Whether the daemon started under `dir` is still running (by its pid file). */
export function dockerdAlive(dir: string): boolean {
  const pid = readPid(dockerdPaths(dir).pidfile);
  return pid !== undefined && alive(pid);
}

/**
 * Stops the daemon started under `dir` (by its pid file, then its own containerd's), unmounts
 * whatever it left mounted below `dir` and removes `dir`. Synchronous so that exit handlers can use it.
 */
export function stopDockerd(dir: string): void {
  const p = dockerdPaths(dir);
  const containerdPid = path.join(p.execRoot, "containerd", "containerd.pid");
  const cpid = readPid(containerdPid);
  const pid = readPid(p.pidfile);
  if (pid && alive(pid)) {
    process.kill(pid, "SIGTERM");
    if (!waitGone(pid, 20_000)) process.kill(pid, "SIGKILL");
    waitGone(pid, 5_000);
  }
  if (cpid && alive(cpid)) {
    process.kill(cpid, "SIGTERM");
    if (!waitGone(cpid, 10_000)) process.kill(cpid, "SIGKILL");
  }
  const mounts = (spawnSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" }).stdout ?? "")
    .split("\n")
    .filter((m) => m.startsWith(dir + "/"))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync("umount", ["-l", m]);
  fs.rmSync(dir, { recursive: true, force: true });
}
