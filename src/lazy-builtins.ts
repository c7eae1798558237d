/**
 * Node built-ins that a cached rebuild never uses, loaded on first use: imported at the top of
 * their ~17 users, node:child_process (with net, dgram and their internals), node:zlib and node:net
 * were loaded by every build at start-up, ~2.7 ms of a 70 ms no-change rebuild.
 */
import type * as ChildProcessModule from "node:child_process";
import type * as NetModule from "node:net";
import { promisify } from "node:util";
import type * as ZlibModule from "node:zlib";

let childProcessModule: typeof ChildProcessModule | undefined;
let zlibModule: typeof ZlibModule | undefined;
let netModule: typeof NetModule | undefined;

export function childProcess(): typeof ChildProcessModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  childProcessModule ??= require("node:child_process") as typeof ChildProcessModule;
  return childProcessModule;
}

export function zlib(): typeof ZlibModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  zlibModule ??= require("node:zlib") as typeof ZlibModule;
  return zlibModule;
}

export function net(): typeof NetModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  netModule ??= require("node:net") as typeof NetModule;
  return netModule;
}

/** util.promisify(execFile) with UTF-8 output; rejects with its error (code, stdout, stderr). */
export function execFileAsync(
  file: string,
  args: readonly string[],
  options: ChildProcessModule.ExecFileOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return promisify(childProcess().execFile)(file, args, { ...options, encoding: "utf8" });
}
