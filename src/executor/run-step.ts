import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LayerView } from "../rootfs/layer-view";
import { inUserNamespace } from "../rootfs/overlay";
import { copyLowerDirs, exportChanges, type CopySnapshot } from "./copy-snapshot";
import { chooseSnapshotter, type Snapshotter } from "./snapshotter";
import { resolveExecUser, type ExecUser } from "../rootfs/users";
import { checkoutCache } from "./cache-sharing";
import { containerId, runContainer, sweepDeadContainers, type SetupOp } from "./container";
import { checkEmulation } from "./emulation";
import { ExecutorError, RunAbortedError } from "./errors";
import { MountStubs } from "./mount-stubs";
import { containerSpec, type OciMount } from "./oci-spec";
import { OutputTail } from "./output-tail";
import type { ProcessLimit, RunIO, RunMount, RunResult, RunSpec } from "./run-spec";
import { detectRuntime, type Runtime } from "./runtime";
import { makeScratchDir, sweepStaleScratchDirs } from "./scratch-dirs";
import { idMapped, userNamespaceLimits } from "./userns";
import { errorMessage } from "../errors";

/** overlayfs refuses more lower layers than this (OVL_MAX_STACK). */
const MAX_LOWER_DIRS = 500;
/** Processes per RUN container unless the caller says otherwise (`--ulimit nproc` style override). */
export const DEFAULT_PIDS_LIMIT = 4096;

/**
 * Runs one RUN step as an OCI container (runc by default): the lower dirs + upper dir are
 * mounted as an overlay in a private mount namespace and become the bundle's rootfs; the spec
 * (./oci-spec.ts) gives the process Docker's default profile; the RUN mounts become spec mounts.
 * The command's changes are left in `spec.upperDir` (mount points made only for mounting
 * removed) for `diffUpperDir`. A non-zero exit is a result, not an error: the caller turns it
 * into a step failure. Throws ExecutorError when the container cannot be set up or started,
 * RunAbortedError when `spec.signal` fires (nothing is left running or mounted when it rejects).
 */
export async function runStep(spec: RunSpec, io: RunIO = {}): Promise<RunResult> {
  const runtime = await detectRuntime(spec.runtime);
  // Leftovers of killed tsbuild processes: a readdir or two when there are none.
  await sweepDeadContainers(runtime);
  await sweepStaleScratchDirs();
  validateSpec(spec);
  if (spec.platform !== undefined) checkEmulation(spec.platform);
  if (spec.signal?.aborted === true) throw new RunAbortedError(spec.command);
  if (process.getuid?.() !== 0) {
    throw new ExecutorError(
      "EXECUTOR_UNSUPPORTED",
      "RUN: this process is neither root nor in a user namespace; start builds through tsbuild (it enters one itself when run as a non-root user)",
    );
  }

  const upperDir = path.resolve(spec.upperDir);
  const workDir = path.resolve(spec.workDir);
  // The bundle's few small files and links are made and removed with synchronous calls: one
  // thread-pool round trip per call cost more than the calls (~10 ms of a step's ~140).
  fs.mkdirSync(upperDir, { recursive: true });
  fs.mkdirSync(workDir, { recursive: true });
  const bundle = await makeScratchDir("run");
  const cleanups: Array<() => Promise<void>> = [() => removeBundle(bundle)];
  const lowerDirs = spec.lowerDirs.map((d) => path.resolve(d));
  let stubs: MountStubs | undefined;
  let snapshot: CopySnapshot | undefined;
  try {
    const view = new LayerView([upperDir, ...lowerDirs]);
    refuseSymlinkedMountRoots(view);
    const user = resolveExecUser(spec.user, view);
    if (inUserNamespace()) checkMapped(user, spec.user);
    const snapshotter = await chooseSnapshotter(spec.snapshotter);
    let rootfs = path.join(bundle, "rootfs");
    const setup: SetupOp[] = [];
    let overlay: StepOverlay | undefined;
    if (snapshotter === "copy") {
      snapshot = await copyLowerDirs([upperDir, ...lowerDirs], path.join(workDir, "root"));
      rootfs = snapshot.root;
      cleanups.push(() => fs.promises.rm(path.join(workDir, "root"), { recursive: true, force: true }));
    } else {
      fs.mkdirSync(rootfs);
      overlay = overlayOp(bundle, lowerDirs, upperDir, workDir, rootfs);
      setup.push(overlay.op);
    }
    const cwd = workingDirectory(view, spec.cwd, user, rootfs, setup);
    const mounts = [
      ...etcMounts(bundle, spec),
      ...(await runMounts(spec, bundle, setup, cleanups, snapshotter)),
    ];
    const userns = inUserNamespace();
    const rootMount = runtimeMountedRoot(runtime, userns, setup, overlay);
    if (rootMount !== undefined) setup.length = 0;
    const limits = processLimits(spec, userns);
    const config = containerSpec({
      rootfs,
      hostname: spec.hostname,
      args: spec.command,
      env: spec.env,
      cwd,
      uid: user.uid,
      gid: user.gid,
      additionalGids: user.additionalGids,
      mounts,
      network: spec.network === "none" ? "isolated" : "host",
      security: spec.security ?? "sandbox",
      pidsLimit: limits.pids,
      rlimits: limits.rlimits,
      userns,
      ttyGroupMapped: !userns || idMapped("gid", 5),
      cgroupsPath: userns ? undefined : `/tsbuild/${path.basename(bundle)}`,
      shmSizeBytes: spec.shmSizeBytes,
      rootMount,
    });
    stubs = new MountStubs(view);
    for (const m of config.mounts) stubs.add(m.destination);
    fs.writeFileSync(path.join(bundle, "config.json"), JSON.stringify(config));

    const tail = new OutputTail();
    const started = Date.now();
    const outcome = await runContainer({
      runtime,
      id: containerId(),
      bundle,
      setup,
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
    if (snapshot !== undefined && outcome.startError === undefined) exportChanges(snapshot, upperDir);
    if (outcome.startError !== undefined) {
      // The command itself could not be executed: a result with the shell's codes (127 not
      // found, 126 not executable), the runtime's words in the output, like `sh -c` would say.
      const execCode = execFailureCode(outcome.startError);
      if (execCode !== undefined) {
        tail.push(Buffer.from(`${outcome.startError}\n`));
        return { exitCode: execCode, durationMs: Date.now() - started, outputTail: tail.lines() };
      }
      if (userns && /mount overlay on/.test(outcome.startError)) {
        throw new ExecutorError(
          "EXECUTOR_UNSUPPORTED",
          `RUN (rootless): overlayfs cannot be mounted in this user namespace (it needs Linux 5.11 or later; ` +
            `this is ${os.release()}): ${outcome.startError.replaceAll(bundle, "<bundle>")}`,
        );
      }
      throw new ExecutorError(
        "EXECUTOR_START",
        `start RUN ${JSON.stringify(spec.command)}: ${outcome.startError.replaceAll(bundle, "<bundle>")}`,
      );
    }
    return { exitCode: outcome.exitCode, durationMs: Date.now() - started, outputTail: tail.lines() };
  } finally {
    if (stubs !== undefined) stubs.remove(upperDir, new LayerView(lowerDirs));
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/**
 * Starts the one-time probes a process's first RUN waits for (the runtime's `--version`, ~6 ms;
 * in a user namespace the overlay check) and returns at once: the build calls it when a step
 * misses the cache in a stage with a RUN still to come, so they overlap that step. A failed
 * probe is forgotten (detectRuntime) and fails the RUN itself with its own message.
 */
export function warmUpRun(runtime: string | undefined): void {
  detectRuntime(runtime).catch(() => undefined);
  try {
    chooseSnapshotter(undefined).catch(() => undefined);
  } catch {
    // a bad TSBUILD_SNAPSHOTTER: the RUN reports it
  }
}

/** In a user namespace only mapped ids exist: say which is missing and how to get a range. */
function checkMapped(user: ExecUser, spec: string | undefined): void {
  const missing = [
    ...(idMapped("uid", user.uid) ? [] : [`uid ${user.uid}`]),
    ...[user.gid, ...user.additionalGids].filter((g) => !idMapped("gid", g)).map((g) => `gid ${g}`),
  ];
  if (missing.length === 0) return;
  throw new ExecutorError(
    "EXECUTOR_ID_NOT_MAPPED",
    `run as USER ${spec ?? "root"}: ${missing.join(", ")} not mapped in this rootless build's user namespace ` +
      "(give the user subordinate ids: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER)",
  );
}

function execFailureCode(message: string): number | undefined {
  if (!/exec: "[^"]*": /.test(message)) return undefined;
  if (/no such file or directory|executable file not found/.test(message)) return 127;
  if (/permission denied|exec format error/.test(message)) return 126;
  return undefined;
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
  // It goes into /etc/hosts and sethostname(2): a name of letters, digits, '-', '_' and '.'.
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,62}$/.test(spec.hostname))
    bad(`invalid hostname ${JSON.stringify(spec.hostname)}`);
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
 * The overlay of the step. A page (4096 bytes) holds the whole option string, too little for a
 * hundred long layer paths: short symlinks ("0", "1", ..., "u", "w") in a stage dir, and a mount
 * run from inside it with relative paths, keep 500 layers under 2.5 KB. redirect_dir/metacopy off:
 * every change is a plain copy in the upper dir, which the diff reads as is. Inside a user
 * namespace the kernel keeps overlay's attributes under user.overlay.* (userxattr). The links are
 * made only when the mount uses them (`link`): runc mounting the root itself takes the dirs'
 * own paths when they fit (runtimeMountedRoot).
 */
interface StepOverlay {
  op: Extract<SetupOp, { op: "overlay" }>;
  /** The lower dirs (top-most first), the upper and the work dir, as the options name them. */
  dirs: { lowers: string[]; upper: string; work: string };
  /** Makes the stage dir's links (once). */
  link(): void;
}

function overlayOp(
  bundle: string,
  lowerDirs: string[],
  upperDir: string,
  workDir: string,
  target: string,
): StepOverlay {
  const stage = path.join(bundle, "layers");
  const lowers = lowerDirs.length > 0 ? lowerDirs : [path.join(bundle, "empty")];
  if (lowerDirs.length === 0) fs.mkdirSync(lowers[0]);
  let linked = false;
  const link = (): void => {
    if (linked) return;
    linked = true;
    fs.mkdirSync(stage);
    lowers.forEach((dir, i) => fs.symlinkSync(dir, path.join(stage, String(i))));
    fs.symlinkSync(upperDir, path.join(stage, "u"));
    fs.symlinkSync(workDir, path.join(stage, "w"));
  };
  const options =
    `lowerdir=${lowers.map((_, i) => String(i)).join(":")},upperdir=u,workdir=w,` +
    // userxattr already turns redirects off (and refuses redirect_dir=off: it means "follow").
    (inUserNamespace() ? "metacopy=off,index=off,userxattr" : "redirect_dir=off,metacopy=off,index=off");
  return {
    op: { op: "overlay", cwd: stage, options, target },
    dirs: { lowers, upper: upperDir, work: workDir },
    link,
  };
}

/** mount(2) takes the options in one page; some room is left for what runc adds. */
const MOUNT_DATA_MAX = 3500;

/**
 * The step's overlay as the root mount of the spec, when the setup is that overlay alone (no
 * working directory to create, no rw bind overlay) and the runtime is runc as real root: runc
 * mounts it on the bundle's empty rootfs inside the container's own mount namespace, before its
 * other mounts, and pivots into it, so no shell and no mount(8) run per step (~10 ms here). The
 * overlay lives and dies with the container as before. Its options name the layer dirs
 * themselves when that fits in a page and no path holds a character the option syntax gives a
 * meaning to (",", ":", "\\"), else the stage dir's links. Other cases (rootless, crun, setup
 * beyond the overlay) keep the setup shell, and the links.
 */
function runtimeMountedRoot(
  runtime: Runtime,
  userns: boolean,
  setup: readonly SetupOp[],
  overlay: StepOverlay | undefined,
): OciMount | undefined {
  const only = setup.length === 1 ? setup[0] : undefined;
  if (runtime.name !== "runc" || userns || overlay === undefined || only !== overlay.op) {
    overlay?.link();
    return undefined;
  }
  const direct = rootOverlayOptions(overlay.op.options, overlay.dirs);
  if (direct !== undefined) return { destination: "/", type: "overlay", source: "overlay", options: direct };
  overlay.link();
  const staged = rootOverlayOptions(overlay.op.options, {
    lowers: overlay.dirs.lowers.map((_, i) => path.join(overlay.op.cwd, String(i))),
    upper: path.join(overlay.op.cwd, "u"),
    work: path.join(overlay.op.cwd, "w"),
  });
  return staged === undefined
    ? undefined
    : { destination: "/", type: "overlay", source: "overlay", options: staged };
}

/** The overlay's options with `dirs` for its relative names; undefined when they do not fit. */
function rootOverlayOptions(
  options: string,
  dirs: { lowers: string[]; upper: string; work: string },
): string[] | undefined {
  const all = [...dirs.lowers, dirs.upper, dirs.work];
  if (all.some((d) => /[,:\\]/.test(d))) return undefined;
  const out = options.split(",").map((o) => {
    if (o === "upperdir=u") return `upperdir=${dirs.upper}`;
    if (o === "workdir=w") return `workdir=${dirs.work}`;
    if (o.startsWith("lowerdir=")) return `lowerdir=${dirs.lowers.join(":")}`;
    return o;
  });
  return out.join(",").length > MOUNT_DATA_MAX ? undefined : out;
}

/**
 * The working directory, resolved inside the root; missing directories are created owned by the
 * user (BuildKit's MkdirAllAndChown), as part of the step's changes.
 */
function workingDirectory(
  view: LayerView,
  cwd: string,
  user: ExecUser,
  rootfs: string,
  setup: SetupOp[],
): string {
  const resolved = view.resolve(cwd);
  if (resolved.stat !== undefined) {
    if (resolved.stat.type !== "directory") {
      throw new ExecutorError(
        "EXECUTOR_BAD_CWD",
        `enter working directory ${cwd}: /${resolved.path} is not a directory`,
      );
    }
    return `/${resolved.path}`;
  }
  const parts = resolved.path.split("/");
  for (let i = 0; i < parts.length; i++) {
    const prefix = parts.slice(0, i + 1).join("/");
    if (view.lstat(prefix) !== undefined) continue;
    setup.push({ op: "mkdir", path: path.join(rootfs, prefix), uid: user.uid, gid: user.gid, mode: 0o755 });
  }
  return `/${resolved.path}`;
}

/** /etc/hosts and /etc/resolv.conf: read-only binds of files in the bundle (as BuildKit does). */
function etcMounts(bundle: string, spec: RunSpec): OciMount[] {
  const hosts = path.join(bundle, "hosts");
  fs.writeFileSync(
    hosts,
    `127.0.0.1\tlocalhost ${spec.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n` +
      (spec.extraHosts ?? []).map((h) => `${h.ip}\t${h.host}\n`).join(""),
  );
  const resolv = path.join(bundle, "resolv.conf");
  let hostResolv = "";
  try {
    hostResolv = fs.readFileSync("/etc/resolv.conf", "utf8");
  } catch {
    // a host without resolv.conf gives the container an empty one
  }
  fs.writeFileSync(resolv, hostResolv);
  return [bind("/etc/hosts", hosts, true), bind("/etc/resolv.conf", resolv, true)];
}

/**
 * The bundle: a few small files, links and empty directories, removed synchronously; its
 * `mounts` dir may hold a copy of a bind source (the copy snapshotter's rw bind), removed first
 * and asynchronously so a big tree does not block the event loop.
 */
async function removeBundle(bundle: string): Promise<void> {
  const mounts = path.join(bundle, "mounts");
  if (fs.existsSync(mounts)) await fs.promises.rm(mounts, { recursive: true, force: true });
  fs.rmSync(bundle, { recursive: true, force: true });
}

function bind(destination: string, source: string, readonly: boolean): OciMount {
  return { destination, type: "bind", source, options: ["rbind", readonly ? "ro" : "rw"] };
}

async function runMounts(
  spec: RunSpec,
  bundle: string,
  setup: SetupOp[],
  cleanups: Array<() => Promise<void>>,
  snapshotter: Snapshotter,
): Promise<OciMount[]> {
  // Parents before children, so a mount inside another mount's target lands on top of it; a
  // later mount of the same target replaces an earlier one (BuildKit's dedupMounts).
  const mounts = [...spec.mounts].sort((a, b) => depth(mountTarget(a)) - depth(mountTarget(b)));
  const out: OciMount[] = [];
  let n = 0;
  for (const m of mounts) {
    const dir = path.join(bundle, "mounts", String(n++));
    await fs.promises.mkdir(dir, { recursive: true });
    const target = mountTarget(m);
    switch (m.type) {
      case "bind": {
        const stats = await statSource(m.source, target);
        let source = m.source;
        if (m.readonly === false && stats.isDirectory() && snapshotter === "copy") {
          // Without overlayfs the throw-away layer is a copy.
          source = (await copyLowerDirs([path.resolve(m.source)], path.join(dir, "copy"))).root;
        } else if (m.readonly === false && stats.isDirectory()) {
          // Writes go to a throw-away overlay, never to the source (BuildKit's rw bind of a snapshot).
          for (const d of ["u", "w", "merged"]) await fs.promises.mkdir(path.join(dir, d));
          await fs.promises.symlink(path.resolve(m.source), path.join(dir, "l"));
          source = path.join(dir, "merged");
          const userxattr = inUserNamespace() ? ",userxattr" : "";
          setup.push({
            op: "overlay",
            cwd: dir,
            options: `lowerdir=l,upperdir=u,workdir=w${userxattr}`,
            target: source,
          });
        } else if (m.readonly === false) {
          source = path.join(dir, "file");
          await fs.promises.copyFile(m.source, source);
        }
        out.push(bind(target, source, m.readonly !== false));
        break;
      }
      case "cache": {
        const checkout = await checkoutCache(m, spec.signal, spec.command);
        cleanups.push(checkout.release);
        out.push(bind(target, checkout.path, m.readonly === true));
        break;
      }
      case "tmpfs": {
        const size = m.sizeBytes !== undefined ? [`size=${m.sizeBytes}`] : [];
        out.push({
          destination: target,
          type: "tmpfs",
          source: "tmpfs",
          options: ["nosuid", "nodev", ...size],
        });
        break;
      }
      case "secret": {
        const file = await writeSecret(m.content, m.mode ?? 0o400, m.uid ?? 0, m.gid ?? 0, cleanups);
        out.push(bind(target, file, true));
        break;
      }
    }
  }
  return out;
}

function depth(target: string): number {
  return target.split("/").filter((p) => p !== "" && p !== ".").length;
}

async function statSource(source: string, target: string): Promise<fs.Stats> {
  try {
    return await fs.promises.stat(source);
  } catch (err) {
    throw new ExecutorError("EXECUTOR_BIND_SOURCE", `bind ${source} on ${target}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

/**
 * Secrets go to a private directory on a tmpfs (/dev/shm) when the host has one, so they never
 * reach a disk; the directory is 0700 (mkdtemp), so no other host user can read them meanwhile.
 */
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

/**
 * The pids limit goes to the pids cgroup as root. Rootless on cgroup v1 has no cgroup of its
 * own to limit: RLIMIT_NPROC (counted per user in the user namespace) stands in for it.
 */
function processLimits(spec: RunSpec, userns: boolean): { pids: number | null; rlimits: ProcessLimit[] } {
  const requested = spec.pidsLimit ?? DEFAULT_PIDS_LIMIT;
  const rlimits = [...(spec.ulimits ?? [])];
  if (!userns) return { pids: requested > 0 ? requested : null, rlimits };
  const fallback = userNamespaceLimits(requested);
  if (fallback !== undefined && !rlimits.some((r) => r.type === fallback.type)) rlimits.push(fallback);
  return { pids: null, rlimits };
}

export type { Runtime };

/**
 * The runtime mounts /dev, /proc and /sys itself, and parts of its setup use plain path joins
 * below them (runc's /dev/ptmx, /dev/fd and /dev/std* symlinks, and the removal of what was
 * there): when the image makes one of them a symlink, those land on the host — an image whose
 * /dev links to a host directory got runc to create (and unlink) entries there. No real image has
 * them as symlinks; refuse before the runtime starts (runc CVE-2019-19921 / CVE-2023-27561 class).
 */
function refuseSymlinkedMountRoots(view: LayerView): void {
  for (const name of ["dev", "proc", "sys"]) {
    const st = view.lstat(name);
    if (st?.type !== "symlink") continue;
    throw new ExecutorError(
      "EXECUTOR_ROOTFS_SYMLINK",
      `RUN: /${name} in the image is a symlink (to ${JSON.stringify(fs.readlinkSync(st.hostPath))}); the runtime mounts /${name} itself and would follow it out of the root, so the step is refused`,
    );
  }
}
