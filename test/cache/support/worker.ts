import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

const register = path.join(__dirname, "ts-register.js");
const script = path.join(__dirname, "cache-worker.ts");

/** Starts the cache worker in a child process. */
export function startWorker(args: string[]): ChildProcess {
  return spawn(process.execPath, ["-r", register, script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs the cache worker to completion; resolves with stdout, rejects with stderr on failure. */
export function runWorker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = startWorker(args);
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worker ${args[0]} exited ${code}: ${err}`)),
    );
  });
}
