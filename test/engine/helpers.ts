import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import type { BuildOptions, BuildResult } from "../../src/engine/build-options";
import type { BuildEvent } from "../../src/engine/progress";

/** A temp dir with the given files (a Buffer keeps bytes exact); removed by `rm`. */
export function tempTree(files: Record<string, string | Buffer>, prefix = "tsbuild-e2e-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export function rm(...dirs: string[]): void {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

/** Builds and collects the events. */
export async function buildWithEvents(
  options: BuildOptions,
): Promise<{ result: BuildResult; events: BuildEvent[] }> {
  const events: BuildEvent[] = [];
  const result = await build({ ...options, onEvent: (e) => events.push(e) });
  return { result, events };
}

/** Ids of steps that ran (not cached). */
export function ranSteps(result: BuildResult): string[] {
  return result.steps
    .filter((s) => !s.cached)
    .map((s) => s.id)
    .sort();
}
