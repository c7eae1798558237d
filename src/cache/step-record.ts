import { isDigest } from "./digest";
import { isRecord } from "../guards";

/** The layer a step produced, as stored in the blob store. */
export interface LayerRef {
  /** Digest of the compressed blob (the blob store key). */
  digest: string;
  /** Digest of the uncompressed tar (OCI diff_id). */
  diffId: string;
  size: number;
  mediaType: string;
}

/** A JSON value (what the planner hashes into a key). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a stage starts from, as the explanation of its first step's miss names it. */
export type BaseInput =
  { kind: "image"; ref: string; digest: string } | { kind: "stage"; name: string } | { kind: "scratch" };

/**
 * What a step's cache key was computed from, kept in its record so that a later miss at the same
 * step can say what changed (src/engine/miss-explain.ts).
 */
export interface KeyInputs {
  /** Key of the filesystem state the step started from. */
  parent: string;
  /** The operation as hashed into the key, with the parent (src/planner/cache-key.ts). */
  op: JsonValue;
  /** The context files behind each fingerprint in `op`: fingerprint → path → "type mode content". */
  files?: Record<string, Record<string, string>>;
  /** Set on a stage's first layer step: what the stage started from. */
  base?: BaseInput;
  /** SOURCE_DATE_EPOCH, which is part of the record key. */
  sourceDateEpoch?: number;
}

/**
 * The cached result of one build step, keyed by the planner's cache key. `layer: null` means the
 * step produced no filesystem change (an empty layer or a metadata-only step); `configChange` is
 * whatever the scheduler needs to replay the step's effect on the image config.
 */
export interface StepRecord {
  key: string;
  layer: LayerRef | null;
  configChange?: unknown;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; refreshed by every cache hit, used by prune's `until` and `keepStorage`. */
  lastUsedAt: string;
  stage?: string;
  description?: string;
  /** What the key was computed from (records written before tsbuild kept them have none). */
  inputs?: KeyInputs;
  /**
   * COPY --from=stage: the key of what the step copied, by content (src/engine/effective-keys.ts).
   * The steps after it key on this one, so a stage rebuilt with the same files changes nothing
   * downstream.
   */
  contentKey?: string;
}

/** What a caller passes to `putRecord`: timestamps default to now, `layer` to null. */
export type NewStepRecord = Omit<StepRecord, "createdAt" | "lastUsedAt" | "layer"> &
  Partial<Pick<StepRecord, "createdAt" | "lastUsedAt">> & { layer?: LayerRef | null };

/** Parses a record file's JSON, returning undefined for anything malformed. */
export function parseStepRecord(text: string): StepRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const r = value;
  if (typeof r.key !== "string" || !isTimestamp(r.createdAt) || !isTimestamp(r.lastUsedAt)) return undefined;
  if (r.stage !== undefined && typeof r.stage !== "string") return undefined;
  if (r.description !== undefined && typeof r.description !== "string") return undefined;
  const layer = r.layer === undefined ? null : r.layer;
  if (layer !== null && !isLayerRef(layer)) return undefined;
  if (
    r.contentKey !== undefined &&
    !(typeof r.contentKey === "string" && /^[0-9a-f]{64}$/.test(r.contentKey))
  )
    return undefined;
  // Inputs only explain misses: malformed ones are dropped, the record stays usable.
  if (r.inputs !== undefined && !isKeyInputs(r.inputs)) delete r.inputs;
  // Every field StepRecord requires was checked above; configChange is opaque by design.
  return value as unknown as StepRecord;
}

export function isLayerRef(value: unknown): value is LayerRef {
  if (!isRecord(value)) return false;
  const l = value;
  return (
    isDigest(l.digest) &&
    isDigest(l.diffId) &&
    typeof l.size === "number" &&
    Number.isSafeInteger(l.size) &&
    l.size >= 0 &&
    typeof l.mediaType === "string"
  );
}

function isKeyInputs(value: unknown): value is KeyInputs {
  if (!isRecord(value) || typeof value.parent !== "string" || !("op" in value)) return false;
  if (value.files !== undefined && !isRecord(value.files)) return false;
  if (value.base !== undefined && !(isRecord(value.base) && typeof value.base.kind === "string"))
    return false;
  return value.sourceDateEpoch === undefined || typeof value.sourceDateEpoch === "number";
}

function isTimestamp(value: unknown): value is string {
  return typeof value === "string" && !Number.isNaN(Date.parse(value));
}
