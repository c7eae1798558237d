import * as fs from "node:fs";
import * as path from "node:path";
import { Duplex, Readable } from "node:stream";
import { LayerWriteError } from "./errors";
import { childProcess } from "../lazy-builtins";

let found: string | null | undefined;

/** pigz on PATH, looked up once per process (null when absent). */
export function pigzPath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (found === undefined) {
    found = null;
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
      if (dir === "") continue;
      const candidate = path.join(dir, "pigz");
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        found = candidate;
        break;
      } catch {
        // not here
      }
    }
  }
  return found;
}

/**
 * gzip through a pigz child process: block-parallel on every core, and its output depends only
 * on the input and the level (not on the number of threads), so layer digests are reproducible.
 * `-n` keeps name and time out of the header. The stream fails unless pigz exits 0, so a killed or
 * failing pigz never yields a truncated blob that looks complete.
 */
export function pigzStream(bin: string, level: number): Duplex {
  const child = childProcess().spawn(bin, ["-c", "-n", `-${level}`], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("error", (err) => reject(new LayerWriteError(`gzip with ${bin}: ${err.message}`, err)));
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new LayerWriteError(
            `gzip with ${bin}: ${signal !== null ? `killed by ${signal}` : `exit code ${code}`}${stderr ? `: ${stderr.trim()}` : ""}`,
          ),
        );
    });
  });
  exited.catch(() => undefined); // observed by the readable side below
  async function* output(): AsyncGenerator<Buffer> {
    // a child's stdout without an encoding yields Buffers.
    for await (const chunk of child.stdout) yield chunk as Buffer;
    await exited;
  }
  // Writes after pigz died would raise EPIPE on stdin; the exit status is the error to report.
  child.stdin.on("error", () => undefined);
  const duplex = Duplex.from({ writable: child.stdin, readable: Readable.from(output()) });
  duplex.on("close", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return duplex;
}
