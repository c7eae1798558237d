import { resolveNetworkLimits } from "../net/limits";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import pLimit from "p-limit";
import { CacheStore, resolveCacheDir } from "../cache";
import { openContext, readDockerfileFile } from "../context";
import type { Image } from "../image/image";
import {
  appendLayers,
  configBlob,
  emptyImage,
  imageManifest,
  manifestBlob,
  withAnnotations,
  withConfig,
} from "../image/image";
import { sha256Digest } from "../image/digest";
import { fillHistoryCreated } from "../image/history-times";
import { decodeDockerfile } from "../parser/decode";
import { loadDockerfile } from "../parser/load";
import { parseBuildArgs } from "../planner/build-args";
import { plan } from "../planner/planner";
import { formatPlatform, hostPlatform, parsePlatforms } from "../planner/platform";
import { normalizePlatformSpec } from "../planner/platform-spec";
import type { Platform } from "../image/descriptor";
import { imageIndexBlob, type PlatformImage } from "../image/image-index";
import { MediaType } from "../image/media-types";
import { UsageError } from "../errors";
import { labelPlans, runPlatformStages, stageIdentity, type PlatformRun } from "./platform-scheduler";
import type { Plan } from "../planner/plan";
import type { BuildOptions, BuildResult, Entitlement, PlatformBuildResult } from "./build-options";
import { contextFingerprinter } from "./context-fingerprinter";
import { BuildError } from "./errors";
import { LocalStepExecutor } from "./local-step-executor";
import { checkMultiPlatformOutputs, prepareOutputs, writeOutputs } from "./outputs";
import type { OutputSpec } from "./output-spec";
import { LayerCompressor } from "./layer-compression";
import type { BuildRun } from "./stage-runner";
import type { StageResult, StepOutcome } from "./stage-result";
import { BaseImages } from "./base-images";
import { NamedContexts } from "./named-contexts";
import { resolveAnnotations } from "./annotations";
import { UnpackedLayers } from "../rootfs/unpacked-layers";
import { httpUrlValidator } from "./url-validator";
import { isolationPrefix } from "../executor/isolation";
import { buildInUserNamespace } from "./userns-build";
import { SshAgents } from "./ssh-agents";
import { VerifiedBlobs } from "./verified-blobs";
import { familiarString, parseTag, type Reference } from "../registry/reference";
import { RemoteCaches, exportRemoteCache, type RemoteCacheReport } from "./remote-cache";
import { buildAttestations } from "./attestations";
import type { AttestationManifest } from "../attest/in-toto";
import { SbomScannerMissingError, findSbomScanner } from "../attest/sbom";
import { resolveSourceDateEpoch } from "./source-date-epoch";
import { EffectiveKeys } from "./effective-keys";

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
  // --platform: one or more targets (normalised, deduplicated); the first one stands for the
  // build where only one platform can be named (registry cache images).
  // Checked before any work, like the outputs that cannot hold several platforms.
  const platforms = options.platform !== undefined ? parsePlatforms(options.platform) : [buildPlatform()];
  if (platforms.length === 0) throw new UsageError("--platform: no platform given");
  const targetPlatform = platforms[0];
  checkMultiPlatformOutputs(options.outputs ?? [], platforms);
  if (platforms.length > 1 && (options.attest ?? []).length > 0)
    throw new UsageError(
      "--attest/--provenance/--sbom: attestations are written for single-platform builds only; build one --platform at a time",
    );
  const started = Date.now();
  const emit = options.onEvent ?? (() => undefined);
  const env = options.env ?? process.env;
  const contextDir = path.resolve(options.context);
  const dockerfilePath = path.resolve(contextDir, options.dockerfile ?? defaultDockerfileName(contextDir));
  const text =
    options.dockerfileText ??
    (await readDockerfile(contextDir, dockerfilePath, options.dockerfile !== undefined));
  const dockerfileName = options.dockerfileText !== undefined ? "Dockerfile" : displayPath(dockerfilePath);
  const dockerfile = loadDockerfile(text, { file: dockerfileName });

  // Tags are checked before any work: the one reference parser, as FROM and pushes use it.
  const tags = (options.tags ?? []).map((t) => parseTag(t));
  const network = resolveNetworkLimits(options.network, env);
  if (options.networkMode === "host" && !(options.allow ?? []).includes("network.host"))
    throw new BuildError(
      "ENTITLEMENT_NOT_ALLOWED",
      "--network host needs the network.host entitlement: build with --allow network.host",
    );
  const cacheOpts = {
    ...(options.insecureRegistries ? { insecure: options.insecureRegistries } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  // A missing SBOM scanner fails before any work, not after the build.
  if ((options.attest ?? []).some((a) => a.type === "sbom") && findSbomScanner(env) === undefined)
    throw new SbomScannerMissingError();
  const store = await CacheStore.open(resolveCacheDir({ cacheDir: options.cacheDir, env }));
  const session = await store.beginBuild();
  const sshAgents = new SshAgents(options.ssh ?? []);
  // From here on every exit path ends the session, or prune would protect this build forever.
  let tmpDir: string | undefined;
  let prepared: Array<Promise<readonly PlatformImage[]>> = [];
  try {
    tmpDir = await store.createBuildTemp();
    const verified = new VerifiedBlobs(store.paths.verified, store.blobs);
    const remote = await RemoteCaches.open(store, verified, options.cacheFrom ?? [], { ...cacheOpts, emit });
    const context = await openContext(contextDir, {
      dockerfilePath,
      cacheDir: store.paths.context,
    });
    const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
    // One vertex numbering for the base images' rows and the steps, as BuildKit's #N.
    const vertex = { next: 0 };
    const baseImages = new BaseImages(store, {
      progress: { emit, vertex, showPlatform: platforms.length > 1 },
      ...(options.pull ? { pull: true } : {}),
      ...(options.insecureRegistries ? { insecure: options.insecureRegistries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      network,
    });
    // Named contexts first (--build-context), every other name through the base images. Their
    // layers are stored uncompressed, like every layer the build makes.
    const sources = new NamedContexts(baseImages, options.buildContexts ?? [], {
      store,
      tmpDir,
      compression: "uncompressed",
    });
    const fingerprinter = contextFingerprinter(context);
    const urls = httpUrlValidator(options.signal, network);
    const plans: Plan[] = [];
    for (const platform of platforms) {
      plans.push(
        await plan(
          dockerfile,
          { target: options.target, buildArgs, buildPlatform: buildPlatform() },
          {
            images: sources,
            context: fingerprinter,
            platform,
            urls,
            isIgnored: (p) => context.isIgnored(p),
            run: { network: options.networkMode, extraHosts: options.addHosts },
          },
        ),
      );
    }
    // The platforms' plans come from one Dockerfile: warnings and entitlements are the same.
    const thePlan = plans[0];
    const sourceDateEpoch = resolveSourceDateEpoch(
      options.sourceDateEpoch,
      buildArgs.get("SOURCE_DATE_EPOCH") ?? env.SOURCE_DATE_EPOCH,
      thePlan.sourceDateEpoch,
    );
    checkEntitlements(thePlan, new Set(options.allow ?? []), dockerfileName);
    for (const w of thePlan.warnings)
      emit({
        type: "warning",
        rule: w.rule,
        message: w.message,
        file: dockerfileName,
        ...(w.span ? { line: w.span.start.line, column: w.span.start.column } : {}),
        ...(w.url ? { url: w.url } : {}),
      });
    const uniqueStages = [
      ...new Map(plans.flatMap((p) => p.stages).map((s) => [stageIdentity(s), s])).values(),
    ];
    emit({
      type: "plan",
      stages: uniqueStages.length,
      steps: uniqueStages.reduce((n, s) => n + s.steps.length, 0),
    });

    const run: BuildRun = {
      dockerfile: dockerfileName,
      store,
      verified,
      context,
      executor: new LocalStepExecutor(
        new UnpackedLayers(store.layers, network.maxLayerSize),
        {
          cacheMounts: store.mounts,
          secrets: options.secrets ?? [],
          env,
          ssh: sshAgents,
          restoreCacheMount: (id, owner) => remote.restoreMount(id, owner),
        },
        network,
        {
          runtime: options.runtime,
          pidsLimit: options.pidsLimit,
          ulimits: options.ulimits,
          networkMode: options.networkMode,
          extraHosts: options.addHosts,
          shmSizeBytes: options.shmSize,
        },
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
      ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
      created: createdTime(sourceDateEpoch),
      emit,
      ...(options.signal ? { signal: options.signal } : {}),
      limit: pLimit(Math.max(1, options.jobs ?? defaultJobs())),
      stages: new Map(),
      baseLayers: (ref, platform) => sources.layers(ref, platform ?? targetPlatform),
      inflight: new Map(),
      outcomes: [],
      vertex,
      tracking: {
        // A Dockerfile from stdin has no path: its steps are placed by the context.
        dockerfile: options.dockerfileText !== undefined ? path.join(contextDir, "-") : dockerfilePath,
        listing: (fp) => fingerprinter.listing(fp),
        missed: new Set(),
      },
      remote,
      keys: new EffectiveKeys(),
    };
    // One run per target platform, sharing the step cache, the outcomes and the job limit.
    const runs: PlatformRun[] = plans.map((p, i) => ({
      platform: platforms[i],
      plan: p,
      run: { ...run, stages: new Map(), baseLayers: (ref, at) => sources.layers(ref, at ?? platforms[i]) },
    }));
    if (runs.length > 1) labelPlans(runs).forEach((labelled, i) => (runs[i].plan = labelled));
    const targets = await runPlatformStages(runs);
    const annotations = resolveAnnotations(
      options.annotations ?? [],
      thePlan.platform,
      options.outputs ?? [],
      (message) => emit({ type: "warning", rule: "AnnotationIgnored", message }),
    );
    const images: PlatformImage[] = [];
    for (const [i, r] of runs.entries()) {
      images.push({
        platform: r.platform,
        image: withAnnotations(
          await assembleImage(targets[i], r.plan, run, options.labels ?? {}),
          annotations.manifest,
        ),
      });
    }
    const image = images[0].image;
    // Layers that hit in a --cache-from cache and were never read are fetched now: the image needs them.
    await remote.fetchLayers(images.flatMap((i) => i.image.layers));
    // Layers are compressed for the outputs that need them (never for the local store), while
    // the images are stored and the cache exported.
    prepared = prepareOutputs(
      images,
      options.outputs ?? [],
      {
        compression: options.compression ?? "gzip",
        level: options.compressionLevel,
        force: options.forceCompression,
      },
      new LayerCompressor(store),
    );
    const stored = await storeImages(images, tags, store);
    const finalStages = new Set(plans.flatMap((p) => targetChain(p)));
    const keys = {
      all: run.outcomes.flatMap(outcomeKeys),
      final: run.outcomes.filter((o) => finalStages.has(o.stage)).flatMap(outcomeKeys),
    };
    const cacheExports: RemoteCacheReport["exports"] = [];
    for (const to of options.cacheTo ?? []) {
      emit({ type: "export-start", what: `cache to ${to.type === "registry" ? to.ref : to.dest}` });
      const t0 = Date.now();
      cacheExports.push(await exportRemoteCache(remote, store, to, keys, cacheOpts));
      emit({
        type: "export-done",
        what: `cache to ${to.type === "registry" ? to.ref : to.dest}`,
        durationMs: Date.now() - t0,
      });
    }
    const attestSpecs = options.attest ?? [];
    const buildTmp = tmpDir;
    const attest = async (exportedImage: Image): Promise<readonly AttestationManifest[]> =>
      buildAttestations(attestSpecs, {
        image: exportedImage,
        plan: thePlan,
        tags: options.tags ?? [],
        buildArgs: options.buildArgs ?? {},
        ...(options.target !== undefined ? { target: options.target } : {}),
        dockerfile: dockerfileName,
        dockerfileText: text,
        steps: run.outcomes,
        startedOn: new Date(started),
        tmpDir: buildTmp,
        env,
      });
    const exported = await writeOutputs(images, options.outputs ?? [], prepared, {
      ...(attestSpecs.length > 0 ? { attest } : {}),
      tags: options.tags ?? [],
      emit,
      tmpDir,
      store,
      env,
      layoutAnnotations: { index: annotations.index, descriptor: annotations.descriptor },
      ...(options.insecureRegistries ? { insecure: options.insecureRegistries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });

    const manifest = await imageManifest(image);
    // The image as the outputs carry it (compressed); else as stored (uncompressed layers).
    const digest = exported ?? stored.digest;
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
      ...((options.cacheFrom ?? []).length + (options.cacheTo ?? []).length > 0
        ? { remoteCache: { ...remote.report(), exports: cacheExports } }
        : {}),
      ...(images.length > 1
        ? {
            platforms: await platformResults(await carriedImages(images, options.outputs ?? [], prepared)),
            mediaType: MediaType.ociIndex,
          }
        : {}),
    };
  } finally {
    // No compression outlives the build (one started for an output a failure skipped).
    await Promise.allSettled(prepared);
    await sshAgents.close();
    if (tmpDir !== undefined) await fsp.rm(tmpDir, { recursive: true, force: true });
    await session.end();
  }
}

/** The target stage and the stages it is built on (FROM <stage>): what `mode=min` exports. */
function targetChain(p: Plan): number[] {
  const byIndex = new Map(p.stages.map((s) => [s.index, s]));
  const out: number[] = [];
  for (let s = byIndex.get(p.target); s !== undefined;) {
    out.push(s.index);
    s = s.base.kind === "stage" ? byIndex.get(s.base.stage) : undefined;
  }
  return out;
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
    // Times come from the steps' cache records, so a no-change rebuild is the same image (BuildKit).
    draft.history = target.history.map((h) => ({ ...h }));
    draft.created = fillHistoryCreated(draft.history, run.created);
    if (Object.keys(labels).length > 0) draft.config.Labels = { ...(draft.config.Labels ?? {}), ...labels };
    if (draft.config.OnBuild?.length === 0) delete draft.config.OnBuild;
  });
}

/**
 * Phase: config and manifest blobs into the store (and the image index of a multi-platform
 * build), then each tag into the local image index. Returns the digest the tags point at.
 */
async function storeImages(
  images: readonly PlatformImage[],
  tags: readonly Reference[],
  store: CacheStore,
): Promise<{ digest: string }> {
  const put = async (blob: Buffer): Promise<string> => {
    const { digest } = await store.blobs.putBytes(blob);
    return digest;
  };
  let manifestDigest = "";
  let configDigest = "";
  for (const { image } of images) {
    const c = await put(configBlob(image));
    const m = await put(await manifestBlob(image));
    if (manifestDigest === "") [manifestDigest, configDigest] = [m, c];
  }
  // Several platforms: the tags name the index; the first platform's config is the image ID.
  const multi = images.length > 1;
  if (multi) manifestDigest = await put((await imageIndexBlob(images)).blob);
  const created = images[0].image.config.created;
  for (const tag of tags)
    await store.images.tag(familiarString(tag), {
      manifestDigest,
      configDigest,
      ...(multi ? { mediaType: MediaType.ociIndex } : {}),
      ...(created !== undefined ? { created } : {}),
    });
  return { digest: manifestDigest };
}

/** Per-platform digests, manifests and configs of a multi-platform build, for its result. */
async function platformResults(images: readonly PlatformImage[]): Promise<PlatformBuildResult[]> {
  const out: PlatformBuildResult[] = [];
  for (const { platform, image } of images) {
    out.push({
      platform: formatPlatform(platform),
      digest: sha256Digest(await manifestBlob(image)),
      configDigest: sha256Digest(configBlob(image)),
      manifest: await imageManifest(image),
      config: structuredClone(image.config),
    });
  }
  return out;
}

/**
 * The images as the first output that names the build's digest carries them (an OCI output or
 * a push: compressed as that output asked), so per-platform digests agree with `digest`; else
 * as stored.
 */
async function carriedImages(
  images: readonly PlatformImage[],
  outputs: readonly OutputSpec[],
  prepared: ReadonlyArray<Promise<readonly PlatformImage[]>>,
): Promise<readonly PlatformImage[]> {
  const n = outputs.findIndex(
    (o) => o.type === "oci" || o.type === "registry" || (o.type === "image" && o.push),
  );
  return n >= 0 && prepared[n] !== undefined ? prepared[n] : images;
}

/** BUILDPLATFORM: the host, normalised as target platforms are (arm64 has no variant). */
function buildPlatform(): Platform {
  return normalizePlatformSpec(formatPlatform(hostPlatform()));
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

/** `Dockerfile`, or `dockerfile` when only that one exists (BuildKit's fallback). */
function defaultDockerfileName(contextDir: string): string {
  const exists = (name: string): boolean =>
    fs.lstatSync(path.join(contextDir, name), { throwIfNoEntry: false }) !== undefined;
  return !exists("Dockerfile") && exists("dockerfile") ? "dockerfile" : "Dockerfile";
}

/** The Dockerfile's text; the default one must lie inside the context (see readDockerfileFile). */
export async function readDockerfile(contextDir: string, file: string, explicit: boolean): Promise<string> {
  const { bytes } = await readDockerfileFile(contextDir, file, explicit, displayPath(file));
  return decodeDockerfile(bytes, displayPath(file));
}

export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/** The image's `created`: SOURCE_DATE_EPOCH when set, else now (RFC 3339, whole seconds). */
function createdTime(sourceDateEpoch: number | undefined): string {
  return new Date(sourceDateEpoch !== undefined ? sourceDateEpoch * 1000 : Date.now())
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z");
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

/** The record keys a step's outcome left: its own, and its content key's (COPY --from=stage). */
function outcomeKeys(o: StepOutcome): string[] {
  return o.contentKey === undefined ? [o.cacheKey] : [o.cacheKey, o.contentKey];
}
