import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { currentProcess, isProcessAlive } from "../cache/process-liveness";

/**
 * Host scratch directories of RUN steps (sandbox roots, secret files on /dev/shm, private cache
 * copies) carry their owner's pid and start time in their names, so when tsbuild is killed with
 * kill -9 — its mounts die with the namespace, but these directories stay — the next process
 * removes them. Secrets in particular must not outlive the step that read them.
 */
export type ScratchKind = "run" | "secret" | "cache-private";

/** A fresh private directory of `kind` under `base` (default the OS temp dir). */
export function makeScratchDir(kind: ScratchKind, base = os.tmpdir()): Promise<string> {
  const me = currentProcess();
  return fs.promises.mkdtemp(path.join(base, `tsbuild-${kind}-${me.pid}-${me.start ?? "0"}-`));
}

const NAME = /^tsbuild-(run|secret|cache-private)-(\d+)-(\d+)-[A-Za-z0-9]+$/;

/** Removes scratch directories of dead processes under the temp dir and /dev/shm. Best effort. */
export async function sweepStaleScratchDirs(
  bases: readonly string[] = [os.tmpdir(), "/dev/shm"],
): Promise<number> {
  let removed = 0;
  for (const base of bases) {
    let names: string[];
    try {
      names = await fs.promises.readdir(base);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = NAME.exec(name);
      if (!m || isProcessAlive({ pid: Number(m[2]), start: m[3] === "0" ? null : m[3] })) continue;
      try {
        await fs.promises.rm(path.join(base, name), { recursive: true, force: true });
        removed++;
      } catch {
        // still busy or not ours to remove: left for a later sweep
      }
    }
  }
  return removed;
}
