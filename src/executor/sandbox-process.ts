import { spawn } from "node:child_process";
import * as fs from "node:fs";
import type { Readable } from "node:stream";
import { HOST_PATH, type HostTools } from "./host-support";
import { READY_MARKER, SANDBOX_SCRIPT, sandboxArgs, type SandboxOp } from "./sandbox-script";

export interface SandboxOutcome {
  /** Exit code, or 128 + signal number if the sandbox's init was killed by a signal. */
  exitCode: number;
  /** True once the setup finished and the command was exec'd. */
  started: boolean;
  /** What the setup operations printed (their error messages when `started` is false). */
  setupLog: string;
  aborted: boolean;
}

export interface SandboxOptions {
  ops: SandboxOp[];
  execArgv: string[];
  newNetwork: boolean;
  signal?: AbortSignal | undefined;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };

/**
 * Runs the setup script and the command in new mount, pid, ipc, uts (and net) namespaces.
 * The process chain is `setpriv --pdeathsig KILL unshare --fork --kill-child sh`: if tsbuild dies
 * (even SIGKILL) unshare gets SIGKILL, which kills the namespace's init, which makes the kernel
 * kill everything in the pid namespace; the mount namespace, and every mount in it, goes with
 * its last process. Resolves once unshare has reaped init, i.e. once nothing is left.
 */
export function runSandbox(tools: HostTools, opts: SandboxOptions): Promise<SandboxOutcome> {
  const unshareArgs = ["--mount", "--pid", "--ipc", "--uts"];
  if (opts.newNetwork) unshareArgs.push("--net");
  unshareArgs.push("--fork", "--kill-child", "--mount-proc", "--");
  const child = spawn(
    tools.setpriv,
    [
      "--pdeathsig",
      "KILL",
      "--",
      tools.unshare,
      ...unshareArgs,
      tools.sh,
      "-c",
      SANDBOX_SCRIPT,
      "tsbuild-sandbox",
      ...sandboxArgs(opts.ops, opts.execArgv),
    ],
    { stdio: ["ignore", "pipe", "pipe", "pipe"], env: { PATH: HOST_PATH, LC_ALL: "C" } },
  );

  let setupLog = "";
  let aborted = false;
  (child.stdout as Readable).on("data", opts.onStdout);
  (child.stderr as Readable).on("data", opts.onStderr);
  (child.stdio[3] as Readable).on("data", (chunk: Buffer) => {
    setupLog += chunk.toString("utf8");
  });

  const onAbort = (): void => {
    aborted = true;
    killNamespace(child.pid);
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  return new Promise((resolve, reject) => {
    child.on("error", (err) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(err);
    });
    child.on("close", (code, signal) => {
      opts.signal?.removeEventListener("abort", onAbort);
      const started = setupLog.includes(READY_MARKER);
      resolve({
        exitCode: code ?? 128 + (SIGNAL_NUMBERS[signal ?? ""] ?? 0),
        started,
        setupLog: setupLog.replace(READY_MARKER, "").trim(),
        aborted,
      });
    });
  });
}

/**
 * SIGKILLs the pid namespace's init (unshare's only child), so the kernel kills the rest and
 * unshare exits only after all of it is reaped. Before unshare has forked there is no child:
 * killing unshare itself is then enough.
 */
function killNamespace(unsharePid: number | undefined): void {
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
  const targets = children.length > 0 ? children : [unsharePid];
  for (const pid of targets) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
