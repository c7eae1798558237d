import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { contextFingerprinter } from "../../src/engine/context-fingerprinter";
import { openContext } from "../../src/context";
import type { ImageConfig } from "../../src/image/config";
import { loadDockerfile } from "../../src/parser/load";
import type { ImageResolver } from "../../src/planner/dispatch/inputs";
import type { Plan } from "../../src/planner/plan";
import { plan } from "../../src/planner/planner";

export const amd64 = { os: "linux", architecture: "amd64" };

/** A temp build context with the given files; removed by `cleanup()`. */
export function makeContext(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-plan-"));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** Base images known to the test, as a registry would return them. */
export function imageResolver(images: Record<string, Partial<ImageConfig["config"]>> = {}): ImageResolver {
  return {
    async resolve(ref) {
      const config = images[ref];
      if (config === undefined) throw new Error(`test resolver: no image ${ref}`);
      return {
        ref,
        digest: `sha256:${Buffer.from(ref).toString("hex").padEnd(64, "0").slice(0, 64)}`,
        config: { architecture: "amd64", os: "linux", config, rootfs: { type: "layers", diff_ids: [] } },
      };
    },
  };
}

export interface PlanCase {
  dockerfile: string;
  contextDir: string;
  target?: string | undefined;
  buildArgs?: Record<string, string> | undefined;
  images?: ImageResolver | undefined;
  cacheDir?: string | undefined;
}

export async function planOf(c: PlanCase): Promise<Plan> {
  const dockerfile = loadDockerfile(c.dockerfile);
  const context = await openContext(c.contextDir, c.cacheDir ? { cacheDir: c.cacheDir } : {});
  return plan(
    dockerfile,
    { target: c.target, buildArgs: new Map(Object.entries(c.buildArgs ?? {})), buildPlatform: amd64 },
    { images: c.images ?? imageResolver(), context: contextFingerprinter(context), platform: amd64 },
  );
}

/** Cache keys of every step of the target stage, in order. */
export function keys(p: Plan): string[] {
  return p.stages[p.stages.length - 1].steps.filter((s) => s.kind !== "config").map((s) => s.cacheKey);
}
