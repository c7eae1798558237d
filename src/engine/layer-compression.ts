import * as os from "node:os";
import { pipeline } from "node:stream";
import pLimit from "p-limit";
import type { CacheStore } from "../cache";
import { BlobLayer } from "../image/blob-layer";
import { createCompressor, createDecompressor, effectiveLevel } from "../image/compression";
import type { Image } from "../image/image";
import { withLayerBlobs } from "../image/layer-blobs";
import { layerMediaType, type Compression } from "../image/media-types";

/** The compression an export asks for: buildx's compression, compression-level, force-compression. */
export interface CompressionRequest {
  compression: Compression;
  /** Undefined = the compression's default (gzip 6, zstd 3). */
  level?: number | undefined;
  /** Recompress base-image layers whose compression differs too (buildx force-compression=true). */
  force?: boolean | undefined;
}

/**
 * Makes the compressed blobs an export or push needs, lazily: the cache keeps built layers as
 * uncompressed tars, and the first export that wants one gzip'd or zstd'd compresses it into the
 * blob store, recorded by (source, compression, level) in `compressed/` so that later exports
 * reuse it. Layers are compressed in parallel (up to `concurrency`), each at most once per
 * process even when several outputs ask at the same time.
 *
 * Rules (BuildKit's): a layer already in the requested compression is used as is; a base-image
 * layer pulled in another compression is kept as pulled unless `force`; everything tsbuild built
 * follows the request.
 */
export class LayerCompressor {
  private readonly inflight = new Map<string, Promise<BlobLayer>>();
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly store: CacheStore,
    concurrency = Math.max(2, os.cpus().length),
  ) {
    this.limit = pLimit(concurrency);
  }

  /** `image` with each layer's blob in the requested compression (config and diff_ids unchanged). */
  async image(image: Image, request: CompressionRequest): Promise<Image> {
    const layers = await Promise.all(
      image.layers.map((l) => (l instanceof BlobLayer ? this.layer(l, request) : Promise.resolve(l))),
    );
    return withLayerBlobs(image, layers);
  }

  /** The layer in the requested compression (see the rules above). */
  layer(layer: BlobLayer, request: CompressionRequest): Promise<BlobLayer> {
    const target = request.compression;
    if (layer.compression === target) return Promise.resolve(layer);
    if (layer.info.pulled === true && layer.compression !== "uncompressed" && request.force !== true)
      return Promise.resolve(layer);
    const level = effectiveLevel(target, request.level);
    const id = `${layer.info.digest} ${target} ${level}`;
    let p = this.inflight.get(id);
    if (!p) {
      p = this.limit(() => this.make(layer, target, level));
      this.inflight.set(id, p);
      p.catch(() => this.inflight.delete(id));
    }
    return p;
  }

  private async make(layer: BlobLayer, compression: Compression, level: number): Promise<BlobLayer> {
    const key = { source: layer.info.digest, compression, level };
    const toLayer = (digest: string, size: number): BlobLayer =>
      new BlobLayer({
        path: this.store.blobs.path(digest),
        digest,
        diffId: layer.info.diffId,
        size,
        mediaType: layerMediaType(compression),
      });
    const hit = await this.store.compressed.get(key);
    if (hit) return toLayer(hit.digest, hit.size);
    // A verified read: a damaged cached layer fails the export instead of shipping a wrong blob.
    const source = await this.store.blobs.open(layer.info.digest);
    const tar =
      layer.compression === "uncompressed"
        ? source
        : pipeline(source, createDecompressor(layer.compression), () => undefined);
    const blob = await this.store.blobs.put(
      pipeline(tar, createCompressor(compression, { level }), () => undefined),
      compression === "uncompressed" ? { digest: layer.info.diffId } : {},
    );
    await this.store.compressed.put({ ...key, digest: blob.digest, size: blob.size });
    return toLayer(blob.digest, blob.size);
  }
}
