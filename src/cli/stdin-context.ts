import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { applyArchive } from "../rootfs/unpack/archive";

/**
 * `tsbuild build -`: the context arrives as a tar (plain or compressed, as docker accepts) on
 * stdin. It is extracted with the layer applier — which keeps every entry inside the target
 * (no `..`, no escaping symlinks) — into a private temp dir, which `dispose()` removes.
 */
export async function extractStdinContext(
  source: Readable,
): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "tsbuild-context-"));
  const dispose = (): Promise<void> => fsp.rm(dir, { recursive: true, force: true });
  try {
    // Owners from the tar do not matter (COPY sets its own) and devices have no place in a context.
    await applyArchive(source, dir, { sameOwner: false, devices: "skip", xattrs: false });
  } catch (err) {
    await dispose();
    throw err;
  }
  return { dir, dispose };
}
