import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A fresh temp dir removed by the returned cleanup. */
export function makeTempDir(prefix = "tsbuild-cache-"): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
