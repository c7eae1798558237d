import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { currentProcess, isProcessAlive } from "../cache/process-liveness";

/**
 * A build's scratch directory under `<cache>/tmp`, named after its process (pid and start time)
 * so a later build can tell a crashed build's leftovers (kill -9) from a running build's.
 */
export function buildTempDir(cacheDir: string): string {
  const me = currentProcess();
  return path.join(cacheDir, "tmp", `build-${me.pid}-${me.start ?? "0"}-${randomBytes(6).toString("hex")}`);
}

/** Removes scratch directories of builds whose process is gone. Best effort: never fails a build. */
export async function sweepStaleBuildTemps(cacheDir: string): Promise<number> {
  const dir = path.join(cacheDir, "tmp");
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = /^build-(\d+)-(\d+)-[0-9a-f]+$/.exec(name);
    if (!m) continue;
    const start = m[2] === "0" ? null : m[2];
    if (isProcessAlive({ pid: Number(m[1]), start })) continue;
    await fsp.rm(path.join(dir, name), { recursive: true, force: true }).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}
