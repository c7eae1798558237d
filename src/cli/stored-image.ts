import type { CacheStore, ImageEntry } from "../cache";
import { TsbuildError, errorMessage } from "../errors";
import { BlobLayer } from "../image/blob-layer";
import { serializeConfig, type ImageConfig } from "../image/config";
import { sha256Digest } from "../image/digest";
import type { Image } from "../image/image";
import type { OciIndex, OciManifest } from "../image/manifest";
import { MediaType } from "../image/media-types";
import { familiarName, localImageKey, tryParseReference } from "../registry/reference";
import { readAll } from "../bytes";

/** An image named on the command line is not in the local store, or its blobs are damaged. */
export class StoredImageError extends TsbuildError {}

/** An image of the local store, ready to export: its index entry, manifest, config and layers. */
export interface StoredImage {
  /** Every tag pointing at this manifest (the index holds only tagged images, so at least one). */
  tags: string[];
  entry: ImageEntry;
  manifest: OciManifest;
  config: ImageConfig;
  image: Image;
}

/**
 * Finds `ref` (a tag, `name` meaning `name:latest`, a manifest digest, or an image ID prefix) in
 * the store's index and rebuilds the Image from the stored manifest, config and layer blobs. The
 * manifest and config are read through the verifying blob stream, and the config must
 * re-serialize to its digest, so an exported image is byte-identical to the one built.
 */
export async function loadStoredImage(store: CacheStore, ref: string): Promise<StoredImage> {
  const { entry, tags } = await findImage(store, ref);
  const manifestDigest =
    entry.mediaType === MediaType.ociIndex
      ? await firstPlatformManifest(store, entry, ref)
      : entry.manifestDigest;
  const manifest = parseJson<OciManifest>(await readBlob(store, manifestDigest, ref), `manifest of ${ref}`);
  if (!manifest || manifest.config?.digest !== entry.configDigest || !Array.isArray(manifest.layers)) {
    throw new StoredImageError(
      "STORED_IMAGE_INVALID",
      `load image ${ref}: manifest ${entry.manifestDigest} does not describe config ${entry.configDigest}`,
    );
  }
  const config = parseJson<ImageConfig>(await readBlob(store, entry.configDigest, ref), `config of ${ref}`);
  if (sha256Digest(serializeConfig(config)) !== entry.configDigest) {
    throw new StoredImageError(
      "STORED_IMAGE_INVALID",
      `load image ${ref}: config ${entry.configDigest} is not in tsbuild's canonical form, cannot re-export it unchanged`,
    );
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new StoredImageError(
      "STORED_IMAGE_INVALID",
      `load image ${ref}: ${manifest.layers.length} layers but ${diffIds.length} diff_ids`,
    );
  }
  const layers: BlobLayer[] = [];
  for (const [i, d] of manifest.layers.entries()) {
    if (!(await store.blobs.has(d.digest))) {
      throw new StoredImageError(
        "STORED_IMAGE_INCOMPLETE",
        `load image ${ref}: layer ${d.digest} is missing from the store (pruned?)`,
      );
    }
    layers.push(
      new BlobLayer({
        path: store.blobs.path(d.digest),
        digest: d.digest,
        diffId: diffIds[i],
        size: d.size,
        mediaType: d.mediaType,
        // Built layers are stored uncompressed; a compressed one came from a registry.
        pulled: true,
      }),
    );
  }
  const image: Image = Object.freeze({ config: Object.freeze(config), layers: Object.freeze(layers) });
  return { tags, entry, manifest, config, image };
}

/**
 * A multi-platform build tags its image index; its image ID (configDigest) is the first
 * platform's, and that platform's image is the one exported or inspected.
 */
async function firstPlatformManifest(store: CacheStore, entry: ImageEntry, ref: string): Promise<string> {
  const index = parseJson<OciIndex>(
    await readBlob(store, entry.manifestDigest, ref),
    `image index of ${ref}`,
  );
  for (const d of Array.isArray(index?.manifests) ? index.manifests : []) {
    const m = parseJson<OciManifest>(await readBlob(store, d.digest, ref), `manifest of ${ref}`);
    if (m?.config?.digest === entry.configDigest) return d.digest;
  }
  throw new StoredImageError(
    "STORED_IMAGE_INVALID",
    `load image ${ref}: image index ${entry.manifestDigest} has no manifest with config ${entry.configDigest}`,
  );
}

/**
 * The index entry `ref` names and every tag pointing at the same manifest. An ID prefix matching
 * several different images is ambiguous and refused, as docker does.
 */
export async function findImage(
  store: CacheStore,
  ref: string,
): Promise<{ entry: ImageEntry; tags: string[] }> {
  const key = localImageKey(ref);
  const exact = key !== undefined ? await store.images.get(key) : undefined;
  const matches = key !== undefined && exact ? [{ tag: key, ...exact }] : await store.images.find(ref);
  if (matches.length === 0)
    throw new StoredImageError(
      "STORED_IMAGE_NOT_FOUND",
      `find image ${ref}: no such image in the local store`,
    );
  const first = matches[0];
  if (matches.some((m) => m.manifestDigest !== first.manifestDigest)) {
    throw new StoredImageError(
      "STORED_IMAGE_AMBIGUOUS",
      `find image ${ref}: matches several images (${matches.map((m) => m.tag).join(", ")}); give a tag or a longer ID`,
    );
  }
  const all = await store.images.list();
  const { tag: _tag, ...entry } = first;
  return { entry, tags: all.filter((e) => e.manifestDigest === first.manifestDigest).map((e) => e.tag) };
}

async function readBlob(store: CacheStore, digest: string, ref: string): Promise<Buffer> {
  try {
    return await readAll(await store.blobs.open(digest));
  } catch (err) {
    throw new StoredImageError("STORED_IMAGE_INCOMPLETE", `load image ${ref}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    // Typed parse of a stored document: the caller checks the fields it uses.
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch (err) {
    throw new StoredImageError("STORED_IMAGE_INVALID", `parse ${what}: ${errorMessage(err)}`);
  }
}

/**
 * `docker.io/library/hello:latest` → ["hello", "latest"], the REPOSITORY/TAG columns; a name
 * without a tag means ":latest", a digest reference has no tag ("<none>").
 */
export function splitTag(tag: string): [repository: string, tag: string] {
  const ref = tryParseReference(tag);
  if (ref === undefined) return [tag, "<none>"];
  return [familiarName(ref), ref.tag ?? "<none>"];
}
