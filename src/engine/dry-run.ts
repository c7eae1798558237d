import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { CacheStore, resolveCacheDir } from "../cache";
import { openContext, readDockerfileFile } from "../context";
import { decodeDockerfile } from "../parser/decode";
import { loadDockerfile } from "../parser/load";
import { plan } from "../planner/planner";
import { formatPlatform, hostPlatform, parsePlatforms } from "../planner/platform";
import type { StageBase } from "../planner/plan";
import { resolveNetworkLimits } from "../net/limits";
import { BaseImages } from "./base-images";
import type { BuildOptions } from "./build-options";
import { contextFingerprinter } from "./context-fingerprinter";
import { NamedContexts } from "./named-contexts";
import { withEpoch } from "./stage-runner";
import { EffectiveKeys } from "./effective-keys";
import { httpUrlValidator } from "./url-validator";
import { resolveSourceDateEpoch } from "./source-date-epoch";

/** One step of a dry run: what it is, its key, and whether the cache already holds its result. */
export interface DryRunStep {
  id: string;
  /** `[stage i/n]`, as progress shows it. */
  label: string;
  display: string;
  kind: "run" | "copy" | "workdir" | "config";
  /** The full cache key (sha256 hex); config steps have none of their own. */
  cacheKey?: string;
  /** Layer steps: the cache has a record for the key (the step would be CACHED). */
  cached?: boolean;
}

export interface DryRunStage {
  index: number;
  name?: string;
  /** "scratch", "stage 0", or the image reference with its digest. */
  base: string;
  steps: DryRunStep[];
}

/** The plan of a build that was not run (`--dry-run`). */
export interface DryRunPlan {
  platform: string;
  target: number;
  stages: DryRunStage[];
  warnings: { rule: string; message: string; line?: number }[];
}

/**
 * Plans a build and reports, for each step, its cache key and whether the cache holds it — without
 * running a step or writing an output. Base images are resolved as a build resolves them (the
 * local store, else the registry: their manifests and configs are needed for the plan, so a pull
 * may happen); `noCache` / `noCacheFilter` mark the steps they would re-run as not cached.
 */
export async function planBuild(options: BuildOptions): Promise<DryRunPlan> {
  const env = options.env ?? process.env;
  const contextDir = path.resolve(options.context);
  const dockerfilePath = path.resolve(contextDir, options.dockerfile ?? "Dockerfile");
  const shown = path.relative(process.cwd(), dockerfilePath);
  const text =
    options.dockerfileText ??
    decodeDockerfile(
      (await readDockerfileFile(contextDir, dockerfilePath, options.dockerfile !== undefined, shown)).bytes,
      shown,
    );
  const dockerfile = loadDockerfile(text, {
    file: options.dockerfileText !== undefined ? "Dockerfile" : shown,
  });
  // The plan of the first platform: a multi-platform build plans each the same way.
  const platform =
    options.platform !== undefined ? (parsePlatforms(options.platform)[0] ?? hostPlatform()) : hostPlatform();
  const network = resolveNetworkLimits(options.network, env);
  const store = await CacheStore.open(resolveCacheDir({ cacheDir: options.cacheDir, env }));
  const session = await store.beginBuild();
  let tmpDir: string | undefined;
  try {
    tmpDir = await store.createBuildTemp();
    const context = await openContext(contextDir, { dockerfilePath, cacheDir: store.paths.context });
    const baseImages = new BaseImages(store, {
      ...(options.pull ? { pull: true } : {}),
      ...(options.insecureRegistries ? { insecure: options.insecureRegistries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      network,
    });
    const images = new NamedContexts(baseImages, options.buildContexts ?? [], {
      store,
      tmpDir,
      compression: options.compression ?? "gzip",
    });
    const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
    const thePlan = await plan(
      dockerfile,
      { target: options.target, buildArgs, buildPlatform: hostPlatform() },
      {
        images,
        context: contextFingerprinter(context),
        platform,
        urls: httpUrlValidator(options.signal, network),
        run: { network: options.networkMode, extraHosts: options.addHosts },
      },
    );
    const sourceDateEpoch = resolveSourceDateEpoch(
      options.sourceDateEpoch,
      buildArgs.get("SOURCE_DATE_EPOCH") ?? env.SOURCE_DATE_EPOCH,
      thePlan.sourceDateEpoch,
    );
    const keyRun = sourceDateEpoch !== undefined ? { sourceDateEpoch } : {};
    const filter = options.noCacheFilter ?? [];
    const stages: DryRunStage[] = [];
    const keys = new EffectiveKeys();
    for (const stage of thePlan.stages) {
      const ignored =
        options.noCache === true ||
        filter.some((f) => f.toLowerCase() === stage.name || f === String(stage.index));
      const steps: DryRunStep[] = [];
      for (const [i, step] of stage.steps.entries()) {
        const label = `[${stage.label} ${i + 1}/${stage.steps.length}]`;
        if (step.kind === "config") {
          steps.push({ id: step.id, label, display: step.display, kind: step.kind });
          continue;
        }
        const fast = keys.fastKey(step);
        const key = withEpoch(fast, keyRun);
        const record = ignored ? undefined : await store.records.get(key, { touch: false });
        // Past a COPY --from=stage the keys chain from what it copied; a miss there is not
        // resolved without copying, so the steps after it are shown by their fast keys.
        keys.settle(step, record?.contentKey ?? fast);
        steps.push({
          id: step.id,
          label,
          display: step.display,
          kind: step.kind,
          cacheKey: key,
          cached: record !== undefined,
        });
      }
      stages.push({
        index: stage.index,
        ...(stage.name !== undefined ? { name: stage.name } : {}),
        base: baseText(stage.base),
        steps,
      });
    }
    return {
      platform: formatPlatform(thePlan.platform),
      target: thePlan.target,
      stages,
      warnings: thePlan.warnings.map((w) => ({
        rule: w.rule,
        message: w.message,
        ...(w.span ? { line: w.span.start.line } : {}),
      })),
    };
  } finally {
    if (tmpDir !== undefined) await fsp.rm(tmpDir, { recursive: true, force: true });
    await session.end();
  }
}

function baseText(base: StageBase): string {
  switch (base.kind) {
    case "scratch":
      return "scratch";
    case "stage":
      return `stage ${base.stage}`;
    case "image":
      return `${base.ref}@${base.digest}`;
  }
}
