/**
 * The OCI runtime RUN containers go through: runc (what BuildKit uses) by default, crun where it
 * is asked for. Found once per process on the host PATH, never the container's; its state lives
 * in a directory of tsbuild's own (root: /run/tsbuild/<runtime>, rootless:
 * $XDG_RUNTIME_DIR/tsbuild/<runtime>), so `list`/`delete` only ever see tsbuild's containers.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inUserNamespace } from "../rootfs/overlay";
import { ExecutorError } from "./errors";
import { errorMessage } from "../errors";
import { writeFileAtomicSync } from "../cache/atomic-file";
import { execFileAsync } from "../lazy-builtins";

export type RuntimeName = "runc" | "crun";

/** Absolute paths of the host tools RUN needs. */
export interface HostTools {
  sh: string;
  unshare: string;
  setpriv: string;
  mount: string;
  ip?: string | undefined;
}

export interface Runtime {
  name: RuntimeName;
  /** Absolute path of the runtime binary. */
  binary: string;
  /** The runtime's --root: state of tsbuild's containers only. */
  stateDir: string;
  tools: HostTools;
}

/** The PATH every host tool runs with (never the container's). */
export const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const detected = new Map<string, Promise<Runtime>>();

/**
 * The runtime to use: `requested` ("runc", "crun", or "auto"/undefined = runc when present, else
 * crun), checked to answer `--version`. Throws ExecutorError EXECUTOR_UNSUPPORTED naming what is
 * missing and how to install it.
 */
export function detectRuntime(requested?: string): Promise<Runtime> {
  const key = requested ?? "auto";
  let p = detected.get(key);
  if (p === undefined) {
    p = probe(key);
    detected.set(key, p);
    p.catch(() => detected.delete(key));
  }
  return p;
}

async function probe(requested: string): Promise<Runtime> {
  if (process.platform !== "linux") throw unsupported(`RUN needs Linux; this is ${process.platform}`);
  if (requested !== "auto" && requested !== "runc" && requested !== "crun") {
    throw new ExecutorError("EXECUTOR_BAD_RUNTIME", `--runtime ${requested}: expected runc, crun or auto`);
  }
  const need = (name: string, pkg: string): string => {
    const found = findOnHostPath(name);
    if (found === undefined) throw unsupported(`${name} not found in ${HOST_PATH} (apt-get install ${pkg})`);
    return found;
  };
  const tools: HostTools = {
    sh: need("sh", "dash"),
    unshare: need("unshare", "util-linux"),
    setpriv: need("setpriv", "util-linux"),
    mount: need("mount", "mount"),
    ip: findOnHostPath("ip"),
  };
  const candidates: RuntimeName[] = requested === "auto" ? ["runc", "crun"] : [requested];
  for (const name of candidates) {
    const binary = findOnHostPath(name);
    if (binary === undefined) continue;
    const stateDir = stateDirFor(name);
    // One spawn per binary, not per build: the stamp holds the binary's stat when it last
    // answered --version (a process spawn is 10-20 ms of a rebuild that runs one RUN).
    const signature = binarySignature(binary);
    if (signature === undefined || readStamp(stateDir) !== signature) {
      try {
        await execFileAsync(binary, ["--version"], { env: { PATH: HOST_PATH } });
      } catch (err) {
        throw unsupported(`${binary} --version failed: ${errorMessage(err)}`);
      }
      if (signature !== undefined) writeStamp(stateDir, signature);
    }
    return { name, binary, stateDir, tools };
  }
  throw unsupported(
    requested === "auto"
      ? "no OCI runtime found: install runc (apt-get install runc) or crun"
      : `${requested} not found in ${HOST_PATH} (apt-get install ${requested})`,
  );
}

/** dev:ino:size:mtime:ctime of the runtime binary (a replaced or upgraded binary changes it). */
function binarySignature(binary: string): string | undefined {
  try {
    const st = fs.statSync(binary, { bigint: true });
    return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(":");
  } catch {
    return undefined;
  }
}

/**
 * `<stateDir>.checked`, beside the state dir (whose entries are all containers): on /run or
 * $XDG_RUNTIME_DIR, so it goes at reboot. It only ever skips the --version check.
 */
function stampPath(stateDir: string): string {
  return `${stateDir}.checked`;
}

function readStamp(stateDir: string): string | undefined {
  try {
    return fs.readFileSync(stampPath(stateDir), "utf8");
  } catch {
    return undefined;
  }
}

/** Best effort: without the stamp the next build checks again. */
function writeStamp(stateDir: string, signature: string): void {
  const file = stampPath(stateDir);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileAtomicSync(file, signature, { mode: 0o600 });
  } catch {
    // not written: checked again next time
  }
}

export function findOnHostPath(name: string): string | undefined {
  for (const dir of HOST_PATH.split(":")) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Root: /run/tsbuild/<runtime>; rootless: $XDG_RUNTIME_DIR/tsbuild/<runtime> (else the temp dir). */
function stateDirFor(name: RuntimeName): string {
  const override = process.env.TSBUILD_RUNTIME_STATE_DIR;
  if (override !== undefined && override !== "") return path.join(override, name);
  if (process.getuid?.() === 0 && !inUserNamespace()) return path.join("/run/tsbuild", name);
  const xdg = process.env.XDG_RUNTIME_DIR;
  const base = xdg !== undefined && xdg !== "" ? xdg : path.join(os.tmpdir(), `tsbuild-run-${ownerUid()}`);
  return path.join(base, "tsbuild", name);
}

/** The host uid that owns this process (the real user when running rootless in a user namespace). */
export function ownerUid(): number {
  const owner = process.env.TSBUILD_USERNS_OWNER;
  if (owner !== undefined && /^\d+$/.test(owner)) return Number(owner);
  return process.getuid?.() ?? 0;
}

function unsupported(reason: string): ExecutorError {
  return new ExecutorError("EXECUTOR_UNSUPPORTED", `RUN: ${reason}`);
}
