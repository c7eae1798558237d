import { createHash } from "node:crypto";
import { MediaType } from "../../image/media-types";
import { isRecord } from "../../guards";
import { type StepRecord, parseStepRecord } from "../step-record";

/**
 * The shapes a remote cache stores (registry or OCI layout), all plain OCI image manifests so any
 * registry accepts them and `skopeo`/`oras` can inspect them:
 *
 * - a step: tag `step-<sha256 hex of the record key>`; `artifactType` STEP, the empty config,
 *   `layers` = the step's layer blob (none for a step without a layer), and the record itself
 *   in the `dev.tsbuild.cache.record` annotation, so a lookup is one manifest GET;
 * - a cache mount: tag `mount-<32 hex of scope + id>`; config = the mount's file tree (MOUNT_TREE
 *   JSON), `layers` = the unique content chunks (so registry GC keeps them);
 * - the index at the cache ref's own tag: an OCI index of the step and mount manifests exported
 *   there, merged on write. Lookups never need it: it is for listing and tools.
 */
export const ArtifactType = {
  step: "application/vnd.tsbuild.cache.step.v1+json",
  mountTree: "application/vnd.tsbuild.cache.mount.v1+json",
  chunk: "application/vnd.tsbuild.cache.chunk.v1",
  index: "application/vnd.tsbuild.cache.index.v1+json",
  empty: "application/vnd.oci.empty.v1+json",
} as const;

export const RECORD_ANNOTATION = "dev.tsbuild.cache.record";
export const KEY_ANNOTATION = "dev.tsbuild.cache.key";
export const MOUNT_ANNOTATION = "dev.tsbuild.cache.mount";
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

/** The OCI empty descriptor's content (`{}`), the config of step artifacts. */
export const EMPTY_JSON = Buffer.from("{}");
export const EMPTY_DIGEST = `sha256:${createHash("sha256").update(EMPTY_JSON).digest("hex")}`;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

/** The tag a step record is stored under: content-addressed by its key, so writers never clash. */
export function stepTag(key: string): string {
  return `step-${createHash("sha256").update(key).digest("hex")}`;
}

/** The tag of a cache mount's tree: by the cache ref's tag (a branch's own mount) and the mount id. */
export function mountTag(scope: string, id: string): string {
  return `mount-${createHash("sha256").update(`${scope}\0${id}`).digest("hex").slice(0, 32)}`;
}

/** A step record as a manifest (canonical JSON bytes) plus the blobs it references. */
export function stepManifest(record: StepRecord): Buffer {
  const { lastUsedAt: _used, ...kept } = record;
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: ArtifactType.step,
    config: { mediaType: ArtifactType.empty, digest: EMPTY_DIGEST, size: EMPTY_JSON.length },
    layers: record.layer
      ? [{ mediaType: record.layer.mediaType, digest: record.layer.digest, size: record.layer.size }]
      : [],
    annotations: { [KEY_ANNOTATION]: record.key, [RECORD_ANNOTATION]: JSON.stringify(kept) },
  };
  return Buffer.from(JSON.stringify(manifest));
}

/**
 * The record a step manifest carries, or undefined when the manifest is not one, is for another
 * key (a tag pointed elsewhere) or names a layer its `layers` do not hold.
 */
export function parseStepManifest(bytes: Buffer, key: string, now = new Date()): StepRecord | undefined {
  const m = parseJson(bytes);
  if (!isRecord(m) || m.artifactType !== ArtifactType.step || !isRecord(m.annotations)) return undefined;
  const text = m.annotations[RECORD_ANNOTATION];
  if (typeof text !== "string") return undefined;
  const inner = parseJson(Buffer.from(text));
  if (!isRecord(inner)) return undefined;
  const record = parseStepRecord(JSON.stringify({ ...inner, lastUsedAt: now.toISOString() }));
  if (!record || record.key !== key) return undefined;
  if (record.layer) {
    const layers = Array.isArray(m.layers) ? m.layers : [];
    const digest = record.layer.digest;
    if (!layers.some((l) => isRecord(l) && l.digest === digest && l.size === record.layer?.size))
      return undefined;
  }
  return record;
}

/** An OCI image index (the cache ref's index, or an OCI layout's index.json). */
export interface OciIndex {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  manifests: Descriptor[];
}

export function emptyIndex(): OciIndex {
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, artifactType: ArtifactType.index, manifests: [] };
}

/** Parses an index; undefined when it is not one. Descriptors that are malformed are dropped. */
export function parseIndex(bytes: Buffer): OciIndex | undefined {
  const v = parseJson(bytes);
  if (!isRecord(v) || v.schemaVersion !== 2 || !Array.isArray(v.manifests)) return undefined;
  const manifests: Descriptor[] = [];
  for (const d of v.manifests) {
    if (!isRecord(d) || typeof d.mediaType !== "string" || typeof d.digest !== "string") continue;
    if (typeof d.size !== "number") continue;
    const desc: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
    if (isRecord(d.annotations)) {
      const a: Record<string, string> = {};
      for (const [k, val] of Object.entries(d.annotations)) if (typeof val === "string") a[k] = val;
      desc.annotations = a;
    }
    if (typeof d.artifactType === "string") desc.artifactType = d.artifactType;
    manifests.push(desc);
  }
  return {
    schemaVersion: 2,
    mediaType: typeof v.mediaType === "string" ? v.mediaType : MediaType.ociIndex,
    ...(typeof v.artifactType === "string" ? { artifactType: v.artifactType } : {}),
    manifests,
  };
}

/**
 * `base` with `added` merged in: an entry replaces one with the same ref name (a tag moved),
 * else one with the same digest; everything else is kept. Order: old entries first.
 */
export function mergeIndex(base: OciIndex, added: readonly Descriptor[]): OciIndex {
  const out = [...base.manifests];
  for (const d of added) {
    const name = d.annotations?.[REF_NAME_ANNOTATION];
    const at = out.findIndex((o) =>
      name !== undefined ? o.annotations?.[REF_NAME_ANNOTATION] === name : o.digest === d.digest,
    );
    if (at >= 0) out[at] = d;
    else out.push(d);
  }
  return { ...base, manifests: out };
}

/** Whether every entry of `wanted` is in `index` (same ref name and digest). */
export function indexHas(index: OciIndex, wanted: readonly Descriptor[]): boolean {
  return wanted.every((w) =>
    index.manifests.some(
      (m) =>
        m.digest === w.digest &&
        m.annotations?.[REF_NAME_ANNOTATION] === w.annotations?.[REF_NAME_ANNOTATION],
    ),
  );
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}
