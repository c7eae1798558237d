import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ExecutorError } from "./errors";

const execFileAsync = promisify(execFile);

/** Absolute paths of the host tools the sandbox is built from (all util-linux/coreutils/dash). */
export interface HostTools {
  sh: string;
  env: string;
  unshare: string;
  setpriv: string;
  mount: string;
  ip?: string | undefined;
}

/** The PATH the sandbox setup script runs with (never the container's). */
export const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

let detection: Promise<HostTools> | undefined;

/**
 * Checks once per process that RUN can work here: Linux, root, util-linux's unshare/setpriv, and
 * a real overlay mount (with whiteouts and trusted xattrs) inside a throw-away mount namespace.
 */
export function detectHostSupport(): Promise<HostTools> {
  detection ??= probe();
  return detection;
}

async function probe(): Promise<HostTools> {
  if (process.platform !== "linux") throw unsupported(`this is ${process.platform}`);
  if (process.getuid?.() !== 0) throw unsupported(`running as uid ${process.getuid?.()}`);
  const find = (name: string): string | undefined =>
    HOST_PATH.split(":")
      .map((dir) => path.join(dir, name))
      .find((p) => {
        try {
          fs.accessSync(p, fs.constants.X_OK);
          return true;
        } catch {
          return false;
        }
      });
  const need = (name: string): string => {
    const found = find(name);
    if (found === undefined) throw unsupported(`${name} not found in ${HOST_PATH}`);
    return found;
  };
  const tools: HostTools = {
    sh: need("sh"),
    env: need("env"),
    unshare: need("unshare"),
    setpriv: need("setpriv"),
    mount: need("mount"),
    ip: find("ip"),
  };
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "tsbuild-probe-"));
  try {
    for (const d of ["l", "u", "w", "m"]) await fs.promises.mkdir(path.join(dir, d));
    await fs.promises.writeFile(path.join(dir, "l", "f"), "x");
    // Deleting a lower file makes overlayfs create a whiteout: proves the upper fs supports it.
    const script = 'cd "$1" && mount -t overlay overlay -o lowerdir=l,upperdir=u,workdir=w m && rm m/f';
    await execFileAsync(tools.unshare, ["--mount", "--fork", "--", tools.sh, "-c", script, "sh", dir], {
      env: { PATH: HOST_PATH },
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw unsupported(`overlay mount failed: ${stderr || (err as Error).message}`, err);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
  return tools;
}

function unsupported(reason: string, cause?: unknown): ExecutorError {
  return new ExecutorError(
    "EXECUTOR_UNSUPPORTED",
    `RUN needs root on Linux with overlayfs and util-linux: ${reason}`,
    { cause },
  );
}
