import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeScratchDir, sweepStaleScratchDirs } from "./scratch-dirs";
import { checkoutCache, type CacheCheckout } from "./cache-sharing";
import { ExecutorError, RunAbortedError } from "./errors";
import { detectHostSupport, type HostTools } from "./host-support";
import { LayerView } from "../rootfs/layer-view";
import { resolveExecUser } from "../rootfs/users";
import { removeMountStubs } from "./mount-stubs";
import { OutputTail } from "./output-tail";
import { RootfsPlanner } from "./rootfs-planner";
import type { RunIO, RunMount, RunResult, RunSpec } from "./run-spec";
import { runSandbox } from "./sandbox-process";
import type { SandboxOp } from "./sandbox-script";

/** overlayfs refuses more lower layers than this (OVL_MAX_STACK). */
const MAX_LOWER_DIRS = 500;
/** Host devices bind-mounted into the sandbox's /dev (a tmpfs). */
const DEVICES = ["null", "zero", "full", "random", "urandom", "tty"];

/**
 * Runs one RUN step: mounts the lower dirs + upper dir as an overlay in private namespaces,
 * adds /proc, /dev, /sys, /etc/hosts, /etc/resolv.conf and the RUN mounts, chroots, switches to
 * the user and execs the command with exactly `spec.env`. The command's changes are left in
 * `spec.upperDir` (mount points created only for mounting removed) for `diffUpperDir`.
 * A non-zero exit is a result, not an error: the caller turns it into a RunFailedError.
 * Throws ExecutorError when the sandbox cannot be set up, RunAbortedError when `spec.signal`
 * fires (the namespace is dead and no mount is left when it rejects).
 */
export async function runStep(spec: RunSpec, io: RunIO = {}): Promise<RunResult> {
  const tools = await detectHostSupport();
  // Leftovers of killed tsbuild processes (a readdir of two directories when there are none).
  await sweepStaleScratchDirs();
  validateSpec(spec);
  if (spec.signal?.aborted) throw new RunAbortedError(spec.command);

  const upperDir = path.resolve(spec.upperDir);
  const workDir = path.resolve(spec.workDir);
  await fs.promises.mkdir(upperDir, { recursive: true });
  await fs.promises.mkdir(workDir, { recursive: true });
  const scratch = await makeScratchDir("run");
  const cleanups: Array<() => Promise<void>> = [
    () => fs.promises.rm(scratch, { recursive: true, force: true }),
  ];
  const lowerDirs = spec.lowerDirs.map((d) => path.resolve(d));
  let planner: RootfsPlanner | undefined;
  try {
    const mergedRoot = path.join(scratch, "root");
    await fs.promises.mkdir(mergedRoot);
    const overlay = await overlayOp(scratch, lowerDirs, upperDir, workDir, mergedRoot);
    const rootfs = new LayerView([upperDir, ...lowerDirs]);
    const execUser = resolveExecUser(spec.user, rootfs);
    const user: ResolvedUser = {
      uid: execUser.uid,
      gid: execUser.gid,
      groups: [execUser.gid, ...execUser.additionalGids],
    };
    planner = new RootfsPlanner(rootfs, mergedRoot);
    const cwd = planner.directory(spec.cwd, { stub: false, owner: user });
    planSystemMounts(planner, tools, spec);
    await writeEtcFiles(scratch, planner, spec);
    await planRunMounts(planner, spec, scratch, cleanups);

    const tail = new OutputTail();
    const started = Date.now();
    const outcome = await runSandbox(tools, {
      ops: [overlay, ...planner.ops],
      execArgv: execArgv(tools, spec, user, `/${cwd}`, mergedRoot),
      newNetwork: spec.network === "none",
      signal: spec.signal,
      onStdout: (chunk) => {
        tail.push(chunk);
        io.stdout?.(chunk);
      },
      onStderr: (chunk) => {
        tail.push(chunk);
        io.stderr?.(chunk);
      },
    });
    if (outcome.aborted) throw new RunAbortedError(spec.command);
    if (!outcome.started) {
      throw new ExecutorError(
        "EXECUTOR_SANDBOX_SETUP",
        `set up the sandbox for RUN ${JSON.stringify(spec.command)}: ${outcome.setupLog || `exit code ${outcome.exitCode}`}`,
      );
    }
    return { exitCode: outcome.exitCode, durationMs: Date.now() - started, outputTail: tail.lines() };
  } finally {
    if (planner !== undefined)
      await removeMountStubs(upperDir, new LayerView(lowerDirs), planner.mountStubs());
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

function validateSpec(spec: RunSpec): void {
  const bad = (what: string): never => {
    throw new ExecutorError("EXECUTOR_BAD_SPEC", `check RUN ${JSON.stringify(spec.command)}: ${what}`);
  };
  if (spec.command.length === 0) bad("the command is empty");
  if (spec.lowerDirs.length > MAX_LOWER_DIRS) {
    bad(`${spec.lowerDirs.length} layers exceed overlayfs's limit of ${MAX_LOWER_DIRS}`);
  }
  for (const e of spec.env) if (e.indexOf("=") <= 0) bad(`environment entry ${JSON.stringify(e)} is not K=V`);
  if (!spec.cwd.startsWith("/")) bad(`working directory ${spec.cwd} is not absolute`);
  for (const m of spec.mounts) {
    const target = mountTarget(m);
    if (!target.startsWith("/")) bad(`mount target ${target} is not absolute`);
    if (target.split("/").every((p) => p === "" || p === ".")) bad("a mount cannot replace /");
  }
}

function mountTarget(m: RunMount): string {
  return m.type === "secret" ? (m.target ?? `/run/secrets/${m.id}`) : m.target;
}

/**
 * The overlay mount. A page (4096 bytes) holds the whole option string, too little for a hundred
 * long layer paths: short symlinks ("0", "1", ..., "u", "w") in a stage dir, and a mount run
 * from inside it with relative paths, keep 500 layers under 2.5 KB.
 */
async function overlayOp(
  scratch: string,
  lowerDirs: string[],
  upperDir: string,
  workDir: string,
  mergedRoot: string,
): Promise<SandboxOp> {
  const stage = path.join(scratch, "layers");
  await fs.promises.mkdir(stage);
  const lowers = lowerDirs.length > 0 ? lowerDirs : [path.join(scratch, "empty")];
  if (lowerDirs.length === 0) await fs.promises.mkdir(lowers[0]);
  await Promise.all(lowers.map((dir, i) => fs.promises.symlink(dir, path.join(stage, String(i)))));
  await fs.promises.symlink(upperDir, path.join(stage, "u"));
  await fs.promises.symlink(workDir, path.join(stage, "w"));
  // redirect_dir/metacopy off: every change is a plain copy in the upper dir, which the diff
  // reads as is (no redirect xattrs, no data-less metacopy files).
  const options =
    `lowerdir=${lowers.map((_, i) => String(i)).join(":")},upperdir=u,workdir=w,` +
    "redirect_dir=off,metacopy=off,index=off";
  return { op: "overlay", cwd: stage, options, target: mergedRoot };
}

function planSystemMounts(planner: RootfsPlanner, tools: HostTools, spec: RunSpec): void {
  const ops = planner.ops;
  const proc = planner.hostPath(planner.directory("/proc", { stub: true }));
  ops.push({ op: "mount", fstype: "proc", source: "proc", options: "nosuid,nodev,noexec", target: proc });

  const dev = planner.hostPath(planner.directory("/dev", { stub: true }));
  ops.push({
    op: "mount",
    fstype: "tmpfs",
    source: "tmpfs",
    options: "nosuid,mode=755,size=65536k",
    target: dev,
  });
  for (const name of DEVICES) {
    ops.push({ op: "file", path: path.join(dev, name) });
    ops.push({ op: "bind", source: `/dev/${name}`, target: path.join(dev, name), readonly: false });
  }
  ops.push({ op: "mkdir", path: path.join(dev, "pts"), uid: 0, gid: 0, mode: 0o755 });
  ops.push({
    op: "mount",
    fstype: "devpts",
    source: "devpts",
    options: "newinstance,ptmxmode=0666,mode=0620",
    target: path.join(dev, "pts"),
  });
  ops.push({ op: "symlink", linkTarget: "pts/ptmx", path: path.join(dev, "ptmx") });
  ops.push({ op: "mkdir", path: path.join(dev, "shm"), uid: 0, gid: 0, mode: 0o1777 });
  ops.push({
    op: "mount",
    fstype: "tmpfs",
    source: "shm",
    options: "nosuid,nodev,noexec,mode=1777,size=65536k",
    target: path.join(dev, "shm"),
  });
  const links: Array<[string, string]> = [
    ["fd", "/proc/self/fd"],
    ["stdin", "/proc/self/fd/0"],
    ["stdout", "/proc/self/fd/1"],
    ["stderr", "/proc/self/fd/2"],
  ];
  for (const [name, target] of links)
    ops.push({ op: "symlink", linkTarget: target, path: path.join(dev, name) });

  const sys = planner.hostPath(planner.directory("/sys", { stub: true }));
  ops.push({ op: "mount", fstype: "sysfs", source: "sysfs", options: "ro,nosuid,nodev,noexec", target: sys });

  ops.push({ op: "hostname", name: spec.hostname });
  if (spec.network === "none") {
    if (tools.ip === undefined) {
      throw new ExecutorError(
        "EXECUTOR_UNSUPPORTED",
        "run with --network=none: the ip tool (iproute2) is missing",
      );
    }
    ops.push({ op: "loopback", ip: tools.ip });
  }
}

/** /etc/hosts and /etc/resolv.conf are bind mounts of scratch files, never written to the upper. */
async function writeEtcFiles(scratch: string, planner: RootfsPlanner, spec: RunSpec): Promise<void> {
  const hosts = path.join(scratch, "hosts");
  await fs.promises.writeFile(
    hosts,
    `127.0.0.1\tlocalhost ${spec.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
  );
  const resolv = path.join(scratch, "resolv.conf");
  let hostResolv = "";
  try {
    hostResolv = await fs.promises.readFile("/etc/resolv.conf", "utf8");
  } catch {
    // a host without resolv.conf gives the container an empty one
  }
  await fs.promises.writeFile(resolv, hostResolv);
  for (const [source, target] of [
    [hosts, "/etc/hosts"],
    [resolv, "/etc/resolv.conf"],
  ]) {
    const rel = planner.file(target);
    planner.ops.push({ op: "bind", source, target: planner.hostPath(rel), readonly: false });
  }
}

async function planRunMounts(
  planner: RootfsPlanner,
  spec: RunSpec,
  scratch: string,
  cleanups: Array<() => Promise<void>>,
): Promise<void> {
  // Parents before children, so a mount inside another mount's target lands on top of it.
  const mounts = [...spec.mounts].sort((a, b) => depth(mountTarget(a)) - depth(mountTarget(b)));
  let n = 0;
  for (const m of mounts) {
    const dir = path.join(scratch, "mounts", String(n++));
    await fs.promises.mkdir(dir, { recursive: true });
    const target = mountTarget(m);
    switch (m.type) {
      case "bind": {
        const stats = await statSource(m.source, target);
        const rel = stats.isDirectory() ? planner.directory(target, { stub: true }) : planner.file(target);
        let source = m.source;
        if (m.readonly === false && stats.isDirectory()) {
          for (const d of ["u", "w"]) await fs.promises.mkdir(path.join(dir, d));
          await fs.promises.symlink(path.resolve(m.source), path.join(dir, "l"));
          source = path.join(dir, "merged");
          await fs.promises.mkdir(source);
          planner.ops.push({
            op: "overlay",
            cwd: dir,
            options: "lowerdir=l,upperdir=u,workdir=w",
            target: source,
          });
        } else if (m.readonly === false) {
          source = path.join(dir, "file");
          await fs.promises.copyFile(m.source, source);
        }
        planner.ops.push({
          op: "bind",
          source,
          target: planner.hostPath(rel),
          readonly: m.readonly !== false,
        });
        break;
      }
      case "cache": {
        const checkout: CacheCheckout = await checkoutCache(m, spec.signal, spec.command);
        cleanups.push(checkout.release);
        const rel = planner.directory(target, { stub: true });
        planner.ops.push({
          op: "bind",
          source: checkout.path,
          target: planner.hostPath(rel),
          readonly: m.readonly === true,
        });
        break;
      }
      case "tmpfs": {
        const rel = planner.directory(target, { stub: true });
        const size = m.sizeBytes !== undefined ? `,size=${m.sizeBytes}` : "";
        planner.ops.push({
          op: "mount",
          fstype: "tmpfs",
          source: "tmpfs",
          options: `nosuid,nodev${size}`,
          target: planner.hostPath(rel),
        });
        break;
      }
      case "secret": {
        const file = await writeSecret(m.content, m.mode ?? 0o400, m.uid ?? 0, m.gid ?? 0, cleanups);
        const rel = planner.file(target);
        planner.ops.push({ op: "bind", source: file, target: planner.hostPath(rel), readonly: true });
        break;
      }
    }
  }
}

function depth(target: string): number {
  return target.split("/").filter((p) => p !== "" && p !== ".").length;
}

async function statSource(source: string, target: string): Promise<fs.Stats> {
  try {
    return await fs.promises.stat(source);
  } catch (err) {
    throw new ExecutorError(
      "EXECUTOR_BIND_SOURCE",
      `bind ${source} on ${target}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Secrets go to a tmpfs (/dev/shm) when the host has one, so they never reach a disk. */
async function writeSecret(
  content: Buffer,
  mode: number,
  uid: number,
  gid: number,
  cleanups: Array<() => Promise<void>>,
): Promise<string> {
  const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  const dir = await makeScratchDir("secret", base);
  cleanups.push(() => fs.promises.rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, "secret");
  await fs.promises.writeFile(file, content, { mode: 0o600 });
  await fs.promises.chown(file, uid, gid);
  await fs.promises.chmod(file, mode);
  return file;
}

/** Who the RUN process runs as. `groups` are the supplementary groups (setgroups). */
interface ResolvedUser {
  uid: number;
  gid: number;
  groups: number[];
}

/**
 * `env -i` sets exactly the step's environment; setpriv sets gid and supplementary groups while
 * still root; unshare chroots, enters the working directory, drops to the uid and execs the
 * command (found through the container's PATH, inside the root).
 */
function execArgv(tools: HostTools, spec: RunSpec, user: ResolvedUser, cwd: string, root: string): string[] {
  return [
    tools.env,
    "-i",
    "--",
    ...spec.env,
    tools.setpriv,
    "--regid",
    String(user.gid),
    ...(user.groups.length > 0 ? ["--groups", user.groups.join(",")] : ["--clear-groups"]),
    "--",
    tools.unshare,
    "--root",
    root,
    "--wd",
    cwd,
    "--setuid",
    String(user.uid),
    "--",
    ...spec.command,
  ];
}
