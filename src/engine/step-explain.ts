import type { CacheStore, KeyInputs, StepPosition } from "../cache";
import type { JsonValue } from "../cache";
import type { PlannedStage, Step } from "../planner/plan";
import { formatPlatform } from "../planner/platform";
import { explainMiss, type StepMiss } from "./miss-explain";

/** What a build keeps to explain its cache misses (shared by its platforms' runs). */
export interface MissTracking {
  /** The Dockerfile's identity in step positions (StepPosition.dockerfile). */
  dockerfile: string;
  /** The context files behind a fingerprint the planner was given. */
  listing(fingerprint: string): Promise<Record<string, string> | undefined>;
  /** Planner keys of the steps that ran in this build. */
  missed: Set<string>;
}

/** Where a layer step is: its stage, its position in the stage, whether it is the stage's first. */
export interface StepPlace {
  stage: PlannedStage;
  index: number;
  first: boolean;
}

export function stepPosition(place: StepPlace, tracking: MissTracking): StepPosition {
  return {
    dockerfile: tracking.dockerfile,
    stage: place.stage.name ?? String(place.stage.index),
    step: place.index,
    platform: formatPlatform(place.stage.platform),
  };
}

/** The inputs of a step's key, for its record: op, parent, the files behind its fingerprints. */
export async function keyInputs(
  step: Step,
  place: StepPlace,
  tracking: MissTracking,
  sourceDateEpoch: number | undefined,
): Promise<KeyInputs> {
  // A KeyValue without undefined members is JSON; the planner drops undefined when hashing.
  const op = JSON.parse(JSON.stringify(step.keyOp ?? null)) as JsonValue;
  const inputs: KeyInputs = { parent: step.parentKey, op };
  const files: Record<string, Record<string, string>> = {};
  for (const s of strings(op)) {
    const fp = s.startsWith("context:") ? s.slice("context:".length) : s;
    const listing = fp.startsWith("sha256:") ? await tracking.listing(fp) : undefined;
    if (listing) files[fp] = listing;
  }
  if (Object.keys(files).length > 0) inputs.files = files;
  if (place.first) {
    const base = place.stage.base;
    inputs.base =
      base.kind === "image"
        ? { kind: "image", ref: base.ref, digest: base.digest }
        : base.kind === "stage"
          ? { kind: "stage", name: String(base.stage) }
          : { kind: "scratch" };
  }
  if (sourceDateEpoch !== undefined) inputs.sourceDateEpoch = sourceDateEpoch;
  return inputs;
}

/** Why the step at `position` missed, against what the last build there recorded. */
export async function explainStepMiss(
  store: CacheStore,
  position: StepPosition,
  recordKey: string,
  inputs: KeyInputs,
  ctx: { noCache: boolean; parentMissed: boolean },
): Promise<StepMiss> {
  const last = await store.history.last(position);
  if (last === undefined) return explainMiss(inputs, { kind: "none" }, ctx);
  const record = await store.records.get(last.key, { touch: false });
  // The same key missed: its record was pruned (or found damaged and dropped).
  if (last.key === recordKey) return explainMiss(inputs, { kind: "gone", key: last.key, why: "pruned" }, ctx);
  if (record === undefined) return explainMiss(inputs, { kind: "gone", key: last.key, why: "missing" }, ctx);
  if (record.inputs === undefined)
    return explainMiss(inputs, { kind: "gone", key: last.key, why: "no-inputs" }, ctx);
  return explainMiss(inputs, { kind: "record", inputs: record.inputs }, ctx);
}

function* strings(v: JsonValue): Generator<string> {
  if (typeof v === "string") yield v;
  else if (Array.isArray(v)) for (const x of v) yield* strings(x);
  else if (typeof v === "object" && v !== null) for (const x of Object.values(v)) yield* strings(x);
}
