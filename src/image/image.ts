import { serializeConfig, type ImageConfig, type HistoryEntry } from "./config";
import { canonicalPlatform, type Descriptor, type Platform } from "./descriptor";
import { sha256Digest, type Digest } from "./digest";
import type { Layer } from "./layer";
import { serializeManifest, type OciManifest } from "./manifest";
import { MediaType } from "./media-types";

/**
 * An immutable image: a config and its layers, oldest/base layer first. Helpers below return new
 * images (like go-containerregistry's mutate/empty); nothing is changed in place. The config's
 * rootfs.diff_ids always matches `layers`.
 */
export interface Image {
  readonly config: Readonly<ImageConfig>;
  readonly layers: readonly Layer[];
  /** The manifest's annotations (`--annotation`); part of the manifest, so of the digest. */
  readonly annotations?: Readonly<Record<string, string>>;
}

function freezeDeep<T>(value: T): T {
  if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) freezeDeep(v);
    Object.freeze(value);
  }
  return value;
}

function makeImage(
  config: ImageConfig,
  layers: readonly Layer[],
  annotations?: Readonly<Record<string, string>>,
): Image {
  return Object.freeze({
    config: freezeDeep(structuredClone(config)),
    layers: Object.freeze([...layers]),
    ...(annotations !== undefined && Object.keys(annotations).length > 0
      ? { annotations: Object.freeze({ ...annotations }) }
      : {}),
  });
}

/** A new image whose manifest carries `annotations` (added to any it has). */
export function withAnnotations(image: Image, annotations: Readonly<Record<string, string>>): Image {
  return makeImage(structuredClone(image.config), image.layers, {
    ...(image.annotations ?? {}),
    ...annotations,
  });
}

/** FROM scratch: no layers, no history, an empty runtime config. */
export function emptyImage(platform: Platform): Image {
  return makeImage(
    { ...canonicalPlatform(platform), config: {}, rootfs: { type: "layers", diff_ids: [] }, history: [] },
    [],
  );
}

/**
 * A new image with `layers` on top of `image`. `history` gives one entry per layer (defaults to
 * an entry with the image's `created` time); entries are written without `empty_layer`.
 */
export async function appendLayers(
  image: Image,
  layers: readonly Layer[],
  history?: readonly HistoryEntry[],
): Promise<Image> {
  if (history && history.length !== layers.length) {
    throw new RangeError(`appendLayers: ${layers.length} layers but ${history.length} history entries`);
  }
  // A mutable copy of the frozen config (structuredClone keeps the readonly type).
  const config = structuredClone(image.config) as ImageConfig;
  const diffIds = await Promise.all(layers.map((l) => l.diffId()));
  config.rootfs = { type: "layers", diff_ids: [...config.rootfs.diff_ids, ...diffIds] };
  const added = layers.map((_, i) => {
    const h: HistoryEntry = { ...(history?.[i] ?? (config.created ? { created: config.created } : {})) };
    delete h.empty_layer;
    return h;
  });
  config.history = [...(config.history ?? []), ...added];
  return makeImage(config, [...image.layers, ...layers], image.annotations);
}

/**
 * A new image whose config is `mutate`'s edit of a copy of the current one (ENV, CMD, LABEL,
 * history entries with empty_layer...). rootfs is not editable here: it follows the layers.
 */
export function withConfig(image: Image, mutate: (draft: ImageConfig) => void): Image {
  // A mutable copy of the frozen config (structuredClone keeps the readonly type).
  const draft = structuredClone(image.config) as ImageConfig;
  mutate(draft);
  draft.rootfs = { type: "layers", diff_ids: [...image.config.rootfs.diff_ids] };
  return makeImage(draft, image.layers, image.annotations);
}

/** Serialized configs by image: images are frozen, and outputs ask for the same blob many times. */
const configBlobs = new WeakMap<Image, Buffer>();

/** The config blob: canonical, byte-stable JSON. */
export function configBlob(image: Image): Buffer {
  let blob = configBlobs.get(image);
  if (blob === undefined) {
    blob = serializeConfig(image.config);
    configBlobs.set(image, blob);
  }
  return blob;
}

export function configDescriptor(image: Image): Descriptor {
  const blob = configBlob(image);
  return { mediaType: MediaType.ociConfig, digest: sha256Digest(blob), size: blob.length };
}

export async function imageManifest(image: Image): Promise<OciManifest> {
  const layers = await Promise.all(
    image.layers.map(async (l): Promise<Descriptor> => ({
      mediaType: await l.mediaType(),
      digest: await l.digest(),
      size: await l.size(),
    })),
  );
  return {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: configDescriptor(image),
    layers,
    ...(image.annotations !== undefined ? { annotations: { ...image.annotations } } : {}),
  };
}

export async function manifestBlob(image: Image): Promise<Buffer> {
  return serializeManifest(await imageManifest(image));
}

/** The manifest's descriptor (its digest is the image digest), with the platform filled in. */
export async function manifestDescriptor(image: Image): Promise<Descriptor> {
  const blob = await manifestBlob(image);
  const c = image.config;
  const platform = canonicalPlatform(c);
  return { mediaType: MediaType.ociManifest, digest: sha256Digest(blob), size: blob.length, platform };
}

export async function imageDigest(image: Image): Promise<Digest> {
  return sha256Digest(await manifestBlob(image));
}
