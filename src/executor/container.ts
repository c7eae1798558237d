/**
 * Runs one container through the OCI runtime. The process chain is
 *
 *   setpriv --pdeathsig KILL  unshare --mount --pid --fork --kill-child --mount-proc  sh SETUP  → exec runc run
 *
 * or, when there is nothing to set up (runc mounts the step's overlay on the root itself, see
 * runtimeMountedRoot in ./run-step.ts), the same without `sh SETUP`: unshare's child is runc.
 *
 * - the private mount namespace holds the step's overlay (the bundle's rootfs) and the other
 *   mounts the setup makes; every one of them goes away with the namespace's last process;
 * - runc is PID 1 of a pid namespace around the container's own: when it dies (the step ends,
 *   an abort SIGKILLs it, or tsbuild dies and pdeathsig kills unshare whose --kill-child kills
 *   runc), the kernel kills every process in that namespace and the nested one;
 * - what is left after a kill -9 is the runtime's state entry (and its cgroup), which
 *   `sweepDeadContainers` deletes with `runc delete --force` at the next RUN.
 * Setup operations travel as positional parameters of `sh -c`, so no path is parsed by a shell.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { currentProcess, isProcessAlive } from "../cache/process-liveness";
import { HOST_PATH, type Runtime } from "./runtime";
import { isRecord } from "../guards";
import { childProcess, execFileAsync } from "../lazy-builtins";

/** Work done inside the private mount namespace before the runtime starts. */
export type SetupOp =
  /** mount -t overlay, after cd into `cwd` so `options` can use short relative paths */
  | { op: "overlay"; cwd: string; options: string; target: string }
  /** mkdir + chown + chmod one directory whose parent is a real directory */
  | { op: "mkdir"; path: string; uid: number; gid: number; mode: number };

export interface ContainerRun {
  runtime: Runtime;
  id: string;
  /** Holds config.json; the runtime's log is written here too. */
  bundle: string;
  setup: readonly SetupOp[];
  signal?: AbortSignal | undefined;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

export interface ContainerOutcome {
  /** The command's exit code, or 128 + signal number when it was killed. */
  exitCode: number;
  /** Set when the container never ran the command: why (setup or runtime error). */
  startError?: string;
  aborted: boolean;
}

const READY = "\x01READY\n";
const SETUP_FAILED = 125;
const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };

const SETUP_SCRIPT = `set -u
fail() { printf '%s\\n' "$*" >&3; exit ${SETUP_FAILED}; }
while [ "$#" -gt 0 ]; do
  op=$1; shift
  case $op in
    overlay) (cd "$1" && mount -t overlay overlay -o "$2" "$3") 2>&3 || fail "mount overlay on $3"; shift 3 ;;
    mkdir) { mkdir -- "$1" && chown -- "$2:$3" "$1" && chmod -- "$4" "$1"; } 2>&3 || fail "create directory $1"; shift 4 ;;
    exec) printf '\\001READY\\n' >&3; exec 3>&-; exec "$@" ;;
    *) fail "unknown setup operation $op" ;;
  esac
done
fail "nothing to exec"
`;

/** A container id carrying its owner's pid and start time, so a later process can tell it is dead. */
export function containerId(): string {
  const me = currentProcess();
  const rand = Math.random().toString(36).slice(2, 10);
  return `tsbuild-${me.pid}-${me.start ?? "0"}-${rand}`;
}

const ID = /^tsbuild-(\d+)-(\d+)-[a-z0-9]+$/;

export async function runContainer(run: ContainerRun): Promise<ContainerOutcome> {
  const { runtime } = run;
  const log = path.join(run.bundle, "runtime.log");
  const args: string[] = [];
  for (const o of run.setup) {
    if (o.op === "overlay") args.push(o.op, o.cwd, o.options, o.target);
    else args.push(o.op, o.path, String(o.uid), String(o.gid), o.mode.toString(8));
  }
  const runtimeArgs = [
    runtime.binary,
    "--root",
    runtime.stateDir,
    "--log",
    log,
    "--log-format",
    "json",
    "run",
    "--bundle",
    run.bundle,
    run.id,
  ];
  // Nothing to set up (the runtime mounts the root itself): unshare runs the runtime directly.
  const direct = run.setup.length === 0;
  const command = direct
    ? runtimeArgs
    : [runtime.tools.sh, "-c", SETUP_SCRIPT, "tsbuild-setup", ...args, "exec", ...runtimeArgs];
  fs.mkdirSync(runtime.stateDir, { recursive: true, mode: 0o700 });
  const child = childProcess().spawn(
    runtime.tools.setpriv,
    [
      "--pdeathsig",
      "KILL",
      "--",
      runtime.tools.unshare,
      "--mount",
      "--propagation",
      "private",
      "--pid",
      "--fork",
      "--kill-child",
      "--mount-proc",
      "--",
      ...command,
    ],
    { stdio: ["ignore", "pipe", "pipe", direct ? "ignore" : "pipe"], env: { PATH: HOST_PATH, LC_ALL: "C" } },
  );
  let setupLog = "";
  let aborted = false;
  // stdio is ["ignore", "pipe", "pipe", "pipe" unless direct] above: these streams exist.
  const pipes = child.stdio as unknown as readonly [null, Readable, Readable, Readable | null];
  pipes[1].on("data", run.onStdout);
  pipes[2].on("data", run.onStderr);
  pipes[3]?.on("data", (chunk: Buffer) => {
    setupLog += chunk.toString("utf8");
  });
  const onAbort = (): void => {
    aborted = true;
    killPidNamespace(child.pid);
  };
  if (run.signal?.aborted === true) onAbort();
  else run.signal?.addEventListener("abort", onAbort, { once: true });

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c, s) => resolve({ code: c, signal: s }));
    },
  ).finally(() => run.signal?.removeEventListener("abort", onAbort));

  const exitCode = code ?? 128 + (SIGNALS[signal ?? ""] ?? 0);
  if (aborted) {
    await deleteContainer(runtime, run.id);
    return { exitCode, aborted: true };
  }
  if (!direct && !setupLog.includes(READY)) {
    return { exitCode, aborted: false, startError: setupLog.trim() || `setup exited with code ${exitCode}` };
  }
  const runtimeError = readRuntimeError(log);
  if (runtimeError !== undefined) {
    await deleteContainer(runtime, run.id);
    return { exitCode, aborted: false, startError: runtimeError };
  }
  return { exitCode, aborted: false };
}

/** The runtime's error-level log lines ("runc run failed: ..."), if it logged any. */
function readRuntimeError(log: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(log, "utf8");
  } catch {
    return undefined;
  }
  const errors: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry: unknown = JSON.parse(line);
      if (!isRecord(entry)) continue;
      const msg = typeof entry["msg"] === "string" ? entry["msg"] : line;
      if (entry["level"] === "error" || entry["level"] === "fatal") errors.push(msg);
    } catch {
      // crun writes plain lines when it cannot write JSON
      if (/error/i.test(line)) errors.push(line);
    }
  }
  return errors.length > 0 ? errors.join("; ") : undefined;
}

/**
 * SIGKILLs the outer pid namespace's init (runc, unshare's only child): the kernel then kills
 * everything in it and in the container's nested namespace. Before unshare forked, killing
 * unshare itself is enough.
 */
function killPidNamespace(unsharePid: number | undefined): void {
  if (unsharePid === undefined) return;
  let children: number[] = [];
  try {
    children = fs
      .readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter((s) => s !== "")
      .map(Number);
  } catch {
    // unshare already exited
  }
  for (const pid of children.length > 0 ? children : [unsharePid]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** `runc delete --force`: the state entry and cgroup of a container whose processes are gone. */
export async function deleteContainer(runtime: Runtime, id: string): Promise<void> {
  try {
    await execFileAsync(runtime.binary, ["--root", runtime.stateDir, "delete", "--force", id], {
      env: { PATH: HOST_PATH },
    });
  } catch {
    // never created, or already deleted
  }
}

/** Deletes the containers of tsbuild processes that are gone (kill -9 leftovers). */
export async function sweepDeadContainers(runtime: Runtime): Promise<number> {
  let names: string[];
  try {
    names = await fs.promises.readdir(runtime.stateDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = ID.exec(name);
    if (m === null || isProcessAlive({ pid: Number(m[1]), start: m[2] === "0" ? null : (m[2] ?? null) }))
      continue;
    await deleteContainer(runtime, name);
    removed++;
  }
  return removed;
}
