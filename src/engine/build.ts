import { resolveNetworkLimits } from "../net/limits";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import pLimit from "p-limit";
import { CacheStore, exportCache, importCache, resolveCacheDir } from "../cache";
import { openContext, readDockerfileFile } from "../context";
import type { Image } from "../image/image";
import {
  appendLayers,
  configBlob,
  emptyImage,
  imageManifest,
  manifestBlob,
  withConfig,
} from "../image/image";
import { sha256Digest } from "../image/digest";
import { decodeDockerfile } from "../parser/decode";
import { loadDockerfile } from "../parser/load";
import { parseBuildArgs } from "../planner/build-args";
import { plan } from "../planner/planner";
import { hostPlatform, parsePlatform } from "../planner/platform";
import type { Plan } from "../planner/plan";
import type { BuildOptions, BuildResult, Entitlement } from "./build-options";
import { contextFingerprinter } from "./context-fingerprinter";
import { BuildAbortedError, BuildError } from "./errors";
import { LocalStepExecutor } from "./local-step-executor";
import { writeOutputs } from "./outputs";
import { runStage, type BuildRun } from "./stage-runner";
import type { StageResult } from "./stage-result";
import { BaseImages } from "./base-images";
import { UnpackedLayers } from "../rootfs/unpacked-layers";
import { httpUrlValidator } from "./url-validator";
import { isolationPrefix } from "../executor/isolation";
import { buildInUserNamespace } from "./userns-build";
import { SshAgents } from "./ssh-agents";
import { VerifiedBlobs } from "./verified-blobs";
import { familiarString, parseTag, type Reference } from "../registry/reference";
import { exportRegistryCache, importRegistryCache } from "./registry-cache";

/**
 * Builds a Dockerfile into an image — the in-process API behind `tsbuild build`. Phases: read
 * the Dockerfile → open the context and the cache → plan → run the needed stages (independent
 * stages concurrently, each step at most once) → assemble the image → store and export it.
 * Never calls process.exit and keeps no global state: builds may run concurrently.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  // As a non-root user the engine runs in a user namespace of its own (rootless builds).
  const userns = isolationPrefix(options.isolation ?? "auto");
  if (userns !== null) return buildInUserNamespace(options, userns);
  const started = Date.now();
  const emit = options.onEvent ?? (() => undefined);
  const env = options.env ?? process.env;
  const contextDir = path.resolve(options.context);
  const dockerfilePath = path.resolve(contextDir, options.dockerfile ?? "Dockerfile");
  const text =
    options.dockerfileText ??
    (await readDockerfile(contextDir, dockerfilePath, options.dockerfile !== undefined));
  const dockerfileName = options.dockerfileText !== undefined ? "Dockerfile" : displayPath(dockerfilePath);
  const dockerfile = loadDockerfile(text, { file: dockerfileName });

  // Tags are checked before any work: the one reference parser, as FROM and pushes use it.
  const tags = (options.tags ?? []).map((t) => parseTag(t));
  const targetPlatform = options.platform ? parsePlatform(options.platform) : hostPlatform();
  const network = resolveNetworkLimits(options.network, env);
  const cacheOpts = {
    ...(options.insecureRegistries ? { insecure: options.insecureRegistries } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const store = await CacheStore.open(resolveCacheDir({ cacheDir: options.cacheDir, env }));
  const session = await store.beginBuild();
  const sshAgents = new SshAgents(options.ssh ?? []);
  // From here on every exit path ends the session, or prune would protect this build forever.
  let tmpDir: string | undefined;
  try {
    tmpDir = await store.createBuildTemp();
    for (const from of options.cacheFrom ?? []) {
      if (from.type === "local") await importCache(from.src, store);
      else await importRegistryCache(store, from.ref, targetPlatform, cacheOpts);
    }
    const context = await openContext(contextDir, {
      dockerfilePath,
      cacheDir: store.paths.context,
    });
    const platform = targetPlatform;
    const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
    const sourceDateEpoch =
      options.sourceDateEpoch ?? epochFrom(buildArgs.get("SOURCE_DATE_EPOCH") ?? env.SOURCE_DATE_EPOCH);
    const baseImages = new BaseImages(store, {
      ...(options.pull ? { pull: true } : {}),
      ...(options.insecureRegistries ? { insecure: options.insecureRegistries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      network,
    });
    const thePlan = await plan(
      dockerfile,
      { target: options.target, buildArgs, buildPlatform: hostPlatform() },
      {
        images: baseImages,
        context: contextFingerprinter(context),
        platform,
        urls: httpUrlValidator(options.signal, network),
      },
    );
    checkEntitlements(thePlan, new Set(options.allow ?? []), dockerfileName);
    for (const w of thePlan.warnings)
      emit({
        type: "warning",
        rule: w.rule,
        message: w.message,
        ...(w.span ? { line: w.span.start.line } : {}),
      });
    emit({
      type: "plan",
      stages: thePlan.stages.length,
      steps: thePlan.stages.reduce((n, s) => n + s.steps.length, 0),
    });

    const run: BuildRun = {
      dockerfile: dockerfileName,
      store,
      verified: new VerifiedBlobs(store.paths.verified, store.blobs),
      context,
      executor: new LocalStepExecutor(
        new UnpackedLayers(store.layers, network.maxLayerSize),
        { cacheMounts: store.mounts, secrets: options.secrets ?? [], env, ssh: sshAgents },
        network,
        { runtime: options.runtime, pidsLimit: options.pidsLimit, ulimits: options.ulimits },
      ),
      tmpDir,
      noCache: options.noCache ?? false,
      noCacheStages: new Set(
        thePlan.stages
          .filter((s) =>
            (options.noCacheFilter ?? []).some((f) => f.toLowerCase() === s.name || f === String(s.index)),
          )
          .map((s) => s.index),
      ),
      compression: options.compression ?? "gzip",
      ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
      created: new Date(sourceDateEpoch !== undefined ? sourceDateEpoch * 1000 : Date.now())
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
      emit,
      ...(options.signal ? { signal: options.signal } : {}),
      limit: pLimit(Math.max(1, options.jobs ?? defaultJobs())),
      stages: new Map(),
      baseLayers: (ref) => baseImages.layers(ref),
      inflight: new Map(),
      outcomes: [],
      vertex: { next: 0 },
    };
    const target = await runStages(thePlan, run);
    const image = await assembleImage(target, thePlan, run, options.labels ?? {});
    await storeImage(image, tags, store);
    const keys = run.outcomes.map((o) => o.cacheKey);
    for (const to of options.cacheTo ?? []) {
      if (to.type === "local") await exportCache(store, keys, to.dest);
      else await exportRegistryCache(store, keys, to.ref, targetPlatform, cacheOpts);
    }
    await writeOutputs(image, options.outputs ?? [], {
      tags: options.tags ?? [],
      emit,
      tmpDir,
      store,
      ...(options.insecureRegistries ? { insecure: options.insecureRegistries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });

    const manifest = await imageManifest(image);
    const digest = sha256Digest(await manifestBlob(image));
    const durationMs = Date.now() - started;
    const cached = run.outcomes.filter((o) => o.cached).length;
    emit({ type: "done", digest, durationMs, cached, total: run.outcomes.length });
    return {
      digest,
      configDigest: sha256Digest(configBlob(image)),
      manifest,
      config: structuredClone(image.config),
      steps: run.outcomes,
      outputs: options.outputs ?? [],
      warnings: thePlan.warnings.map((w) => ({
        rule: w.rule,
        message: w.message,
        ...(w.span ? { line: w.span.start.line } : {}),
      })),
      durationMs,
    };
  } finally {
    await sshAgents.close();
    if (tmpDir !== undefined) await fsp.rm(tmpDir, { recursive: true, force: true });
    await session.end();
  }
}

/** Phase: start every needed stage as soon as its dependencies allow; resolve to the target's result. */
async function runStages(thePlan: Plan, shared: BuildRun): Promise<StageResult> {
  // The first failing stage cancels the others, running steps included (BuildKit does too).
  const failFast = new AbortController();
  const run: BuildRun = {
    ...shared,
    signal: shared.signal ? AbortSignal.any([shared.signal, failFast.signal]) : failFast.signal,
  };
  const all: Promise<StageResult>[] = [];
  for (const stage of thePlan.stages) {
    const p = (async () => {
      await Promise.all(stage.dependsOn.map((d) => run.stages.get(d)));
      if (failFast.signal.aborted) throw new BuildAbortedError();
      return runStage(stage, run);
    })();
    p.catch(() => failFast.abort());
    run.stages.set(stage.index, p);
    all.push(p);
  }
  const results = await Promise.allSettled(all);
  const failure = results.find(
    (r): r is PromiseRejectedResult => r.status === "rejected" && !(r.reason instanceof BuildAbortedError),
  );
  if (failure) throw failure.reason;
  const aborted = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (aborted) throw aborted.reason;
  // Every result is fulfilled here: any rejection was thrown above.
  return (results[results.length - 1] as PromiseFulfilledResult<StageResult>).value;
}

/** Phase: the image of the target stage — its layers, config, labels and history. */
async function assembleImage(
  target: StageResult,
  thePlan: Plan,
  run: BuildRun,
  labels: Record<string, string>,
): Promise<Image> {
  const withLayers = await appendLayers(emptyImage(thePlan.platform), target.layers);
  return withConfig(withLayers, (draft) => {
    Object.assign(draft, { ...target.config, rootfs: draft.rootfs });
    draft.created = run.created;
    draft.history = target.history;
    if (Object.keys(labels).length > 0) draft.config.Labels = { ...(draft.config.Labels ?? {}), ...labels };
    if (draft.config.OnBuild?.length === 0) delete draft.config.OnBuild;
  });
}

/** Phase: config and manifest blobs into the store, then each tag into the image index. */
async function storeImage(image: Image, tags: readonly Reference[], store: CacheStore): Promise<void> {
  const config = configBlob(image);
  const manifest = await manifestBlob(image);
  const { Readable } = await import("node:stream");
  const configDigest = sha256Digest(config);
  const manifestDigest = sha256Digest(manifest);
  await store.blobs.put(Readable.from([config]), { digest: configDigest, size: config.length });
  await store.blobs.put(Readable.from([manifest]), { digest: manifestDigest, size: manifest.length });
  for (const tag of tags)
    await store.images.tag(familiarString(tag), {
      manifestDigest,
      configDigest,
      ...(image.config.created !== undefined ? { created: image.config.created } : {}),
    });
}

/**
 * `RUN --network=host` and `RUN --security=insecure` run only when the build allows them
 * (BuildKit's entitlements); otherwise a located error names the flag to add.
 */
function checkEntitlements(thePlan: Plan, allowed: ReadonlySet<Entitlement>, file: string): void {
  for (const stage of thePlan.stages) {
    for (const step of stage.steps) {
      if (step.kind !== "run") continue;
      const needed: Array<[Entitlement, string]> = [];
      if (step.network === "host") needed.push(["network.host", "--network=host"]);
      if (step.security === "insecure") needed.push(["security.insecure", "--security=insecure"]);
      for (const [entitlement, flag] of needed) {
        if (allowed.has(entitlement)) continue;
        const { line, column } = step.span.start;
        throw new BuildError(
          "ENTITLEMENT_NOT_ALLOWED",
          `${file}:${line}:${column}: RUN ${flag} needs the ${entitlement} entitlement: build with --allow ${entitlement}`,
        );
      }
    }
  }
}

/** The Dockerfile's text; the default one must lie inside the context (see readDockerfileFile). */
async function readDockerfile(contextDir: string, file: string, explicit: boolean): Promise<string> {
  const { bytes } = await readDockerfileFile(contextDir, file, explicit, displayPath(file));
  return decodeDockerfile(bytes, displayPath(file));
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

function epochFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^[0-9]+$/.test(value))
    throw new BuildError("BAD_SOURCE_DATE_EPOCH", `SOURCE_DATE_EPOCH: "${value}" is not a number of seconds`);
  return Number(value);
}

export { parseBuildArgs };

/**
 * Steps run at once by default: twice the cores, at least 4. RUN steps mostly wait (on the
 * network, on sleeps, on I/O), so one per core would serialize independent stages on small
 * machines; BuildKit does not limit them at all.
 */
export function defaultJobs(): number {
  return Math.max(4, 2 * os.cpus().length);
}
