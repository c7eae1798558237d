import type { NetworkLimits } from "../net/limits";
import type { CacheStore } from "../cache";
import { BlobLayer } from "../image/blob-layer";
import type { ImageConfig } from "../image/config";
import type { Platform } from "../image/descriptor";
import type { OciManifest } from "../image/manifest";
import type { ImageResolver, ResolvedImage } from "../planner/dispatch/inputs";
import { pullImage } from "../registry/pull";
import { BuildError } from "./errors";
import { localImageKey } from "../registry/reference";
import { readAll } from "../bytes";

/** How base images are found. */
export interface BaseImageOptions {
  /** `--pull`: always ask the registry, even for a name the local store has. */
  pull?: boolean;
  /** `--insecure-registry` hosts. */
  insecure?: readonly string[];
  signal?: AbortSignal;
  /** Registry request limits (see NetworkLimits). */
  network?: NetworkLimits;
}

/**
 * Base images for FROM and COPY --from=<image>: an image tagged in the local store (built
 * earlier) unless `--pull`, else pulled from its registry into the blob store (one manifest
 * request when everything is cached). Resolved once per build; the plan keys on the manifest
 * digest.
 */
export class BaseImages implements ImageResolver {
  private readonly cache = new Map<string, Promise<ResolvedImage & { manifest: OciManifest }>>();

  constructor(
    private readonly store: CacheStore,
    private readonly options: BaseImageOptions = {},
  ) {}

  resolve(ref: string, platform: Platform): Promise<ResolvedImage> {
    let p = this.cache.get(ref);
    if (!p) {
      p = this.load(ref, platform);
      this.cache.set(ref, p);
    }
    return p;
  }

  /** The layers and config of an image resolved before. */
  async layers(ref: string): Promise<{ layers: BlobLayer[]; config: ImageConfig }> {
    const image = await (this.cache.get(ref) ?? this.load(ref, undefined));
    const layers = image.manifest.layers.map(
      (d, i) =>
        new BlobLayer({
          path: this.store.blobs.path(d.digest),
          digest: d.digest,
          diffId: image.config.rootfs.diff_ids[i],
          size: d.size,
          mediaType: d.mediaType,
          // tsbuild's own images are stored uncompressed; anything compressed came from a registry.
          pulled: true,
        }),
    );
    return { layers, config: image.config };
  }

  private async load(
    ref: string,
    platform: Platform | undefined,
  ): Promise<ResolvedImage & { manifest: OciManifest }> {
    const key = localImageKey(ref);
    const entry = this.options.pull
      ? undefined
      : ((key !== undefined ? await this.store.images.get(key) : undefined) ??
        (await this.store.images.find(ref))[0]);
    if (entry === undefined) {
      const pulled = await pullImage(ref, {
        store: this.store,
        ...(platform ? { platform } : {}),
        ...(this.options.insecure ? { insecure: this.options.insecure } : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        ...(this.options.network ? { client: { limits: this.options.network } } : {}),
      });
      return { ref, digest: pulled.digest, config: pulled.config, manifest: pulled.manifest };
    }
    // A stored, digest-verified document (built by tsbuild or checked when pulled).
    const manifest = JSON.parse((await this.readBlob(entry.manifestDigest)).toString("utf8")) as OciManifest;
    // A stored, digest-verified document (built by tsbuild or checked when pulled).
    const config = JSON.parse((await this.readBlob(manifest.config.digest)).toString("utf8")) as ImageConfig;
    if (platform && (config.os !== platform.os || config.architecture !== platform.architecture)) {
      throw new BuildError(
        "IMAGE_PLATFORM_MISMATCH",
        `resolve base image ${ref}: it is ${config.os}/${config.architecture}, the build targets ${platform.os}/${platform.architecture}`,
      );
    }
    for (const layer of manifest.layers) {
      if (!(await this.store.blobs.has(layer.digest))) {
        throw new BuildError(
          "IMAGE_INCOMPLETE",
          `resolve base image ${ref}: layer ${layer.digest} is missing from the store`,
        );
      }
    }
    return { ref, digest: entry.manifestDigest, config, manifest };
  }

  private async readBlob(digest: string): Promise<Buffer> {
    return readAll(await this.store.blobs.open(digest));
  }
}
