/**
 * An unprivileged user for rootless tests, made by the test setup itself (as root), and a copy
 * of the built tsbuild it can read (the clone may sit in a directory only root can enter).
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "./paths";

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** XDG_RUNTIME_DIR of the user (0700, theirs). */
  runtimeDir: string;
}

/** Creates (once) a user with or without subordinate id ranges. */
export function ensureUser(name: string, subids: { start: number; count: number } | null): TestUser {
  const exists = spawnSync("id", ["-u", name]).status === 0;
  if (!exists) execFileSync("useradd", ["--create-home", "--shell", "/bin/sh", name]);
  for (const file of ["/etc/subuid", "/etc/subgid"]) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
    const kept = lines.filter((l) => l !== "" && !l.startsWith(`${name}:`));
    if (subids !== null) kept.push(`${name}:${subids.start}:${subids.count}`);
    fs.writeFileSync(file, kept.map((l) => `${l}\n`).join(""));
  }
  const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
  const home = `/home/${name}`;
  const runtimeDir = path.join(os.tmpdir(), `tsbuild-xdg-${name}`);
  fs.mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  fs.chownSync(runtimeDir, uid, gid);
  return { name, uid, gid, home, runtimeDir };
}

/**
 * package.json, dist/ and the production node_modules copied to a world-readable temp dir.
 * Needs `npm run build` first (npm test's pretest does it).
 */
export function installCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-app-"));
  fs.chmodSync(dir, 0o755);
  fs.copyFileSync(path.join(repoRoot, "package.json"), path.join(dir, "package.json"));
  fs.cpSync(path.join(repoRoot, "dist"), path.join(dir, "dist"), { recursive: true });
  const listing = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const top = path.join(repoRoot, "node_modules") + path.sep;
  for (const p of listing.split("\n")) {
    if (!p.startsWith(top)) continue;
    const rel = p.slice(top.length);
    if (rel.includes(`${path.sep}node_modules${path.sep}`)) continue; // copied with its parent
    fs.cpSync(p, path.join(dir, "node_modules", rel), { recursive: true, dereference: true });
  }
  execFileSync("chmod", ["-R", "a+rX", dir]);
  return dir;
}

/** Environment of a login of `user` (no root's variables leak in). */
export function userEnv(user: TestUser, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    XDG_RUNTIME_DIR: user.runtimeDir,
    ...extra,
  };
}

/** Runs `argv` as `user` (real and effective ids, supplementary groups from /etc/group). */
export function runAs(
  user: TestUser,
  argv: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): SpawnSyncReturns<string> {
  return spawnSync(
    "setpriv",
    ["--reuid", String(user.uid), "--regid", String(user.gid), "--init-groups", "--", ...argv],
    {
      cwd: options.cwd ?? "/",
      env: userEnv(user, options.env),
      encoding: "utf8",
      input: options.input ?? "",
      timeout: options.timeoutMs ?? 300_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}

/** Starts `argv` as `user` in the background (for kill tests). */
export function spawnAs(
  user: TestUser,
  argv: string[],
  env: Record<string, string> = {},
): ReturnType<typeof spawn> {
  return spawn(
    "setpriv",
    ["--reuid", String(user.uid), "--regid", String(user.gid), "--init-groups", "--", ...argv],
    {
      cwd: "/",
      env: userEnv(user, env),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

/** A directory the user can read (a build context) with the given files. */
export function readableTree(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-rl-ctx-"));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  execFileSync("chmod", ["-R", "a+rX", dir]);
  return dir;
}

/** A directory the user owns (an output destination). */
export function ownedDir(user: TestUser): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-rl-out-"));
  fs.chownSync(dir, user.uid, user.gid);
  return dir;
}

/** Removes the user's cache and files a rootless build left (owned by subordinate ids). */
export function removeAsRoot(...dirs: string[]): void {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}
