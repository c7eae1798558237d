import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type pLimit from "p-limit";
import type { CacheStore, StepRecord } from "../cache";
import type { BuildContext } from "../context";
import { BlobLayer } from "../image/blob-layer";
import type { Platform } from "../image/descriptor";
import { buildLayer } from "../image/build-layer";
import type { HistoryEntry, ImageConfig } from "../image/config";
import type { LayerEntry } from "../image/layer-entry";
import type { PlannedStage, Step } from "../planner/plan";
import { BuildAbortedError, StepFailedError } from "./errors";
import type { BuildEventListener } from "./progress";
import type { VerifiedBlobs } from "./verified-blobs";
import type { StageResult, StepOutcome } from "./stage-result";
import type { StepExecutor, StepInputs } from "./step-executor";
import type { StepMiss } from "./miss-explain";
import { explainStepMiss, keyInputs, stepPosition, type MissTracking, type StepPlace } from "./step-explain";
import { TsbuildError } from "../errors";
import { RunFailedError } from "../executor/errors";
import type { RemoteCaches } from "./remote-cache";
import { keysOnContent, type EffectiveKeys } from "./effective-keys";
import { createHash, type Hash } from "node:crypto";

/** Everything the stages of one build share. */
export interface BuildRun {
  /** The Dockerfile's name as errors show it ("Dockerfile", "docker/app.Dockerfile"). */
  dockerfile: string;
  store: CacheStore;
  /** Stamps of layer blobs already re-hashed (see VerifiedBlobs). */
  verified: VerifiedBlobs;
  context: BuildContext;
  executor: StepExecutor;
  tmpDir: string;
  noCache: boolean;
  /** Stages (by index) whose steps ignore the cache (`--no-cache-filter`). */
  noCacheStages: ReadonlySet<number>;
  /** SOURCE_DATE_EPOCH in seconds: clamps mtimes and sets `created`. */
  sourceDateEpoch?: number;
  created: string;
  emit: BuildEventListener;
  signal?: AbortSignal;
  limit: ReturnType<typeof pLimit>;
  /** Results of stages by index (started in dependency order). */
  stages: Map<number, Promise<StageResult>>;
  /** Base images by ref, for `platform` (default: the build's target): their layers and config. */
  baseLayers(ref: string, platform?: Platform): Promise<{ layers: BlobLayer[]; config: ImageConfig }>;
  /** One execution per cache key, even when two stages need the same step. */
  inflight: Map<string, Promise<LayerOutput>>;
  outcomes: StepOutcome[];
  vertex: { next: number };
  /** Step positions and key inputs, to explain cache misses. */
  tracking: MissTracking;
  /** `--cache-from` caches, looked up on a local miss. */
  remote?: RemoteCaches;
  /** The keys steps are recorded under (the planner's, re-derived past content-keyed COPYs). */
  keys: EffectiveKeys;
}

interface LayerOutput {
  layer: BlobLayer | null;
  cached: boolean;
  /** When the step's result was first made: a cache hit keeps its record's time (see runStage). */
  created: string;
}

/**
 * Runs one planned stage: starts from its base (scratch, another stage, an image), then walks
 * its steps. Config steps only add history. Layer steps are looked up by cache key in the step
 * records; a miss runs the step, writes its layer into the blob store, then the record — so a
 * record never points at a missing blob, and a failed or aborted step leaves no record.
 */
export async function runStage(stage: PlannedStage, run: BuildRun): Promise<StageResult> {
  let layers: BlobLayer[] = [];
  let history: HistoryEntry[] = [];
  if (stage.base.kind === "stage") {
    // the scheduler registers every stage's promise before any stage runs.
    const base = await (run.stages.get(stage.base.stage) as Promise<StageResult>);
    layers = [...base.layers];
    history = [...base.history];
  } else if (stage.base.kind === "image") {
    const base = await run.baseLayers(stage.base.ref, stage.platform);
    layers = [...base.layers];
    history = [...(base.config.history ?? [])];
  }
  const total = stage.steps.length;
  let first = true;
  for (const [i, step] of stage.steps.entries()) {
    if (run.signal?.aborted) throw new BuildAbortedError();
    // Config entries get no time here: fillHistoryCreated gives them their neighbours' (BuildKit).
    const entry: HistoryEntry = {
      created_by: step.createdBy,
      comment: "buildkit.dockerfile.v0",
    };
    if (step.kind === "config") {
      if (step.history !== false) history.push({ ...entry, empty_layer: true });
      continue;
    }
    const label = `[${stage.label} ${i + 1}/${total}]`;
    const output = await layerStep(step, label, layers, { stage, index: i, first }, run);
    first = false;
    // BuildKit commits a layer for every RUN, COPY/ADD and WORKDIR (but `WORKDIR /`), even one
    // that changes nothing: an empty tar, and a history entry with empty_layer false.
    const layer =
      output.layer ?? (step.kind === "workdir" && step.path === "/" ? null : await emptyLayer(run));
    // A layer's time is when its result was first made, so a no-change rebuild is the same image.
    if (layer) {
      layers = [...layers, layer];
      history.push({ created: output.created, ...entry });
    } else {
      history.push({ created: output.created, ...entry, empty_layer: true });
    }
  }
  return { index: stage.index, layers, history, config: stage.config };
}

function layerStep(
  step: Exclude<Step, { kind: "config" }>,
  label: string,
  layers: BlobLayer[],
  place: StepPlace,
  run: BuildRun,
): Promise<LayerOutput> {
  // By the planner's key: the same planner key always settles to the same effective key.
  const existing = run.inflight.get(recordKey(step, run));
  if (existing) return existing;
  const p = executeOrReuse(step, label, layers, place, run);
  run.inflight.set(recordKey(step, run), p);
  return p;
}

async function executeOrReuse(
  step: Exclude<Step, { kind: "config" }>,
  label: string,
  layers: BlobLayer[],
  place: StepPlace,
  run: BuildRun,
): Promise<LayerOutput> {
  const vertex = ++run.vertex.next;
  run.emit({ type: "step-start", id: step.id, vertex, label, display: step.display });
  const started = Date.now();
  const fast = run.keys.fastKey(step);
  const key = withEpoch(fast, run);
  const position = stepPosition(place, run.tracking);
  const noCache = run.noCache || run.noCacheStages.has(step.stage);
  if (!noCache) {
    const local = await usableRecord(key, run);
    const hit = local ? { record: local, layer: storedLayer(local, run) } : await run.remote?.lookup(key);
    if (hit) {
      const { record, layer } = hit;
      run.keys.settle(step, record.contentKey ?? fast);
      run.emit({ type: "step-cached", id: step.id, vertex });
      await run.store.history.set(position, key);
      recordOutcome(run, step, { key, contentKey: record.contentKey }, true, started, layer);
      return { layer, cached: true, created: createdOf(record, run) };
    }
  }
  run.tracking.missed.add(step.cacheKey);
  if (place.stage.steps.slice(place.index).some((s) => s.kind === "run")) run.executor.warmUpRun?.();
  const inputs = await keyInputs(step, place, run.tracking, run.sourceDateEpoch);
  inputs.parent = run.keys.of(step.parentKey);
  const explain = async (): Promise<StepMiss> => {
    const miss = await explainStepMiss(run.store, position, key, inputs, {
      noCache,
      parentMissed: run.tracking.missed.has(step.parentKey),
    });
    run.emit({ type: "step-miss", id: step.id, vertex, ...miss });
    return miss;
  };
  // A content-keyed COPY is a miss only once what it copied is known to be new.
  let miss = keysOnContent(step) ? undefined : await explain();
  const record = (layer: BlobLayer | null, extra: { contentKey?: string; createdAt?: string } = {}) => ({
    layer: layer ? layerRef(layer) : null,
    description: step.display,
    stage: String(step.stage),
    createdAt: extra.createdAt ?? run.created,
    inputs,
    ...(extra.contentKey !== undefined ? { contentKey: extra.contentKey } : {}),
  });
  const commit = async (produced: Produced, stepInputs: StepInputs): Promise<LayerOutput> => {
    if (produced.timeless === undefined) {
      const layer = await storeLayer(produced.layer, run);
      await run.store.records.put({ key, ...record(layer) });
      run.keys.settle(step, fast);
      if (layer) await run.executor.layerStored?.(step, stepInputs, layer);
      return { layer, cached: false, created: run.created };
    }
    const contentKey = run.keys.contentKey(step, produced.timeless);
    const prior = noCache ? undefined : await usableRecord(withEpoch(contentKey, run), run);
    run.keys.settle(step, contentKey);
    if (prior) {
      // The same files as a copy already recorded: its layer (and time), so the image is the same.
      const layer = storedLayer(prior, run);
      await run.store.records.put({ key, ...record(layer, { contentKey, createdAt: prior.createdAt }) });
      return { layer, cached: true, created: createdOf(prior, run) };
    }
    miss = await explain();
    const layer = await storeLayer(produced.layer, run);
    await run.store.records.put({ key: withEpoch(contentKey, run), ...record(layer) });
    await run.store.records.put({ key, ...record(layer, { contentKey }) });
    if (layer) await run.executor.layerStored?.(step, stepInputs, layer);
    return { layer, cached: false, created: run.created };
  };
  const output = await run.limit(() =>
    execute(step, vertex, layers, stagePlatform(place.stage), run, keysOnContent(step), commit),
  );
  await run.store.history.set(position, key);
  const contentKey = run.keys.of(step.cacheKey);
  const keys = { key, ...(contentKey !== fast ? { contentKey } : {}) };
  if (output.cached) {
    run.tracking.missed.delete(step.cacheKey);
    run.emit({ type: "step-cached", id: step.id, vertex });
    recordOutcome(run, step, keys, true, started, output.layer);
    return output;
  }
  const durationMs = Date.now() - started;
  run.emit({
    type: "step-done",
    id: step.id,
    vertex,
    durationMs,
    ...(output.layer ? { layerSize: output.layer.info.size } : {}),
  });
  recordOutcome(run, step, keys, false, started, output.layer, miss);
  return output;
}

/** A step's result before it is stored: its layer in the step's temp dir. */
interface Produced {
  layer: BlobLayer | null;
  /** Content-keyed steps: sha256 hex of the layer tar with every mtime 0. */
  timeless?: string;
}

/**
 * Runs the step and writes its layer into the step's temp dir; `commit` stores it (or finds an
 * equal one) while the temp dir is still there.
 */
async function execute(
  step: Exclude<Step, { kind: "config" }>,
  vertex: number,
  layers: BlobLayer[],
  platform: Platform,
  run: BuildRun,
  timeless: boolean,
  commit: (produced: Produced, inputs: StepInputs) => Promise<LayerOutput>,
): Promise<LayerOutput> {
  if (run.signal?.aborted) throw new BuildAbortedError();
  const inputs: StepInputs = {
    layers,
    platform,
    context: run.context,
    // the scheduler registers every stage's promise before any stage runs.
    stageLayers: async (index) => (await (run.stages.get(index) as Promise<StageResult>)).layers,
    imageLayers: async (ref) => (await run.baseLayers(ref)).layers,
    ...(run.sourceDateEpoch !== undefined ? { sourceDateEpoch: run.sourceDateEpoch } : {}),
    tmpDir: path.join(run.tmpDir, `step-${vertex}`),
    signal: run.signal,
    log: (stream, text) => run.emit({ type: "step-log", id: step.id, vertex, stream, text }),
  };
  let entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>;
  await fsp.mkdir(inputs.tmpDir, { recursive: true });
  try {
    entries =
      step.kind === "run"
        ? await run.executor.run(step, inputs)
        : step.kind === "copy"
          ? await run.executor.copy(step, inputs)
          : await run.executor.workdir(step, inputs);
    const hash = timeless ? createHash("sha256") : undefined;
    const layer = await writeLayer(entries, inputs.tmpDir, run, hash);
    return await commit({ layer, ...(hash ? { timeless: hash.digest("hex") } : {}) }, inputs);
  } catch (err) {
    if (err instanceof BuildAbortedError || run.signal?.aborted === true) {
      run.emit({ type: "step-error", id: step.id, vertex, message: "cancelled" });
      throw new BuildAbortedError();
    }
    const failure = stepFailure(step, run, err);
    run.emit({ type: "step-error", id: step.id, vertex, message: failure.message });
    throw failure;
  } finally {
    await fsp.rm(inputs.tmpDir, { recursive: true, force: true });
  }
}

/** Moves a layer from the step's temp dir into the blob store (null: the step changed nothing). */
async function storeLayer(layer: BlobLayer | null, run: BuildRun): Promise<BlobLayer | null> {
  if (layer === null) return null;
  await run.store.blobs.importHashed(layer.info.path, layer.info);
  const stored = new BlobLayer({ ...layer.info, path: run.store.blobs.path(layer.info.digest) });
  await run.verified.stamp(layer.info.digest); // hashed while it was written
  return stored;
}

function layerRef(layer: BlobLayer): { digest: string; diffId: string; size: number; mediaType: string } {
  const { digest, diffId, size, mediaType } = layer.info;
  return { digest, diffId, size, mediaType };
}

/** A record's layer in the store. */
function storedLayer(record: StepRecord, run: BuildRun): BlobLayer | null {
  return record.layer
    ? new BlobLayer({ path: run.store.blobs.path(record.layer.digest), ...record.layer })
    : null;
}

/** A cache hit's time: when its result was first made (or SOURCE_DATE_EPOCH's). */
function createdOf(record: StepRecord, run: BuildRun): string {
  return run.sourceDateEpoch === undefined ? rfc3339(record.createdAt) : run.created;
}

/** A stage's platform, from its config (the base image's, or FROM --platform's). */
function stagePlatform(stage: PlannedStage): Platform {
  const c = stage.config;
  return {
    os: c.os,
    architecture: c.architecture,
    ...(c.variant !== undefined ? { variant: c.variant } : {}),
  };
}

/**
 * The step's error as the user sees it: located at its instruction, with BuildKit's wording for
 * a failed command, and never an internal temp path.
 */
function stepFailure(step: Exclude<Step, { kind: "config" }>, run: BuildRun, err: unknown): StepFailedError {
  const scrub = (text: string): string => text.split(run.tmpDir).join("<build tmp>");
  let reason: string;
  let exitCode: number | undefined;
  let outputTail: readonly string[] | undefined;
  if (err instanceof RunFailedError) {
    reason = `process ${JSON.stringify(err.command.join(" "))} did not complete successfully: exit code: ${err.exitCode}`;
    exitCode = err.exitCode;
    outputTail = err.outputTail.slice(-10);
  } else {
    reason = scrub(err instanceof Error ? err.message : String(err));
  }
  return new StepFailedError(
    {
      stepId: step.id,
      stage: step.stage,
      instruction: step.display,
      location: { file: run.dockerfile, line: step.span.start.line, column: step.span.start.column },
      reason,
      reasonCode: err instanceof TsbuildError ? err.code : "INTERNAL",
      exitCode,
      outputTail,
    },
    { cause: err },
  );
}

/**
 * The key a step's result is recorded under: the planner's key, plus SOURCE_DATE_EPOCH when set,
 * since the epoch clamps the mtimes written into the layer (same step, different bytes).
 */
export function recordKey(step: Step, run: Pick<BuildRun, "sourceDateEpoch">): string {
  return withEpoch(step.cacheKey, run);
}

export function withEpoch(key: string, run: Pick<BuildRun, "sourceDateEpoch">): string {
  return run.sourceDateEpoch === undefined ? key : `${key}@source-date-epoch=${run.sourceDateEpoch}`;
}

/**
 * The step record for `key` if its layer blob is intact: unchanged since it was last hashed (its
 * verified stamp), else re-hashed (and stamped) now. A corrupted or truncated blob is evicted by the store, the
 * record dropped, and the step runs again: a damaged cache costs a rebuild, never a wrong image.
 */
async function usableRecord(key: string, run: BuildRun): Promise<StepRecord | undefined> {
  return run.store.records.get(key, {
    accept: async (r) => !r.layer || (await run.verified.intact(r.layer.digest)),
  });
}

/** An ISO 8601 time as the build writes `created`: UTC, whole seconds. */
function rfc3339(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** By the build's store, not its run: a multi-platform build's platforms (one BuildRun each) share it. */
const emptyLayers = new WeakMap<CacheStore, Promise<BlobLayer>>();

/** The build's empty layer (an uncompressed end-of-archive tar; exports compress it), stored once. */
function emptyLayer(run: BuildRun): Promise<BlobLayer> {
  let p = emptyLayers.get(run.store);
  if (!p) {
    p = (async () => {
      await fsp.mkdir(run.tmpDir, { recursive: true });
      // A directory of its own: each platform's run of a multi-platform build makes one.
      const dir = await fsp.mkdtemp(path.join(run.tmpDir, "empty-layer-"));
      const layer = await buildLayer([], { dir, compression: "uncompressed" });
      await run.store.blobs.importHashed(layer.info.path, layer.info);
      await run.verified.stamp(layer.info.digest);
      return new BlobLayer({ ...layer.info, path: run.store.blobs.path(layer.info.digest) });
    })();
    emptyLayers.set(run.store, p);
  }
  return p;
}

/**
 * Serializes entries into an uncompressed layer tar (digest = diff_id) in the step's temp dir (its
 * own: two steps of different keys may write byte-identical layers at once, and the blob is named
 * by its digest); null when there are none. Exports compress it when they need to (LayerCompressor).
 */
async function writeLayer(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  dir: string,
  run: BuildRun,
  timeless?: Hash,
): Promise<BlobLayer | null> {
  // The first entry decides: no changes (most `RUN` steps that only install into caches or
  // check something) is no layer, without writing, hashing and deleting an empty tar.
  const it = isAsyncIterable(entries) ? entries[Symbol.asyncIterator]() : entries[Symbol.iterator]();
  const first = await it.next();
  if (first.done === true) return null;
  async function* all(): AsyncGenerator<LayerEntry> {
    let done = false;
    try {
      yield first.value;
      for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
      done = true;
    } finally {
      // The layer writer stopped early (an error): close the source, as for-await would.
      if (!done) await it.return?.();
    }
  }
  await fsp.mkdir(dir, { recursive: true });
  return buildLayer(all(), {
    dir,
    compression: "uncompressed",
    timeless,
    ...(run.sourceDateEpoch !== undefined ? { clampMtime: run.sourceDateEpoch } : {}),
  });
}

function isAsyncIterable<T>(x: AsyncIterable<T> | Iterable<T>): x is AsyncIterable<T> {
  return Symbol.asyncIterator in x;
}

function recordOutcome(
  run: BuildRun,
  step: Step,
  keys: { key: string; contentKey?: string | undefined },
  cached: boolean,
  started: number,
  layer: BlobLayer | null,
  miss?: StepMiss,
): void {
  const outcome: StepOutcome = {
    id: step.id,
    stage: step.stage,
    display: step.display,
    cacheKey: keys.key,
    cached,
    durationMs: Date.now() - started,
  };
  if (keys.contentKey !== undefined) outcome.contentKey = withEpoch(keys.contentKey, run);
  if (layer) outcome.layer = { digest: layer.info.digest, diffId: layer.info.diffId, size: layer.info.size };
  if (miss) outcome.miss = miss;
  run.outcomes.push(outcome);
}
