import type { NetworkLimits } from "../net/limits";
import type { CacheStore } from "../cache";
import { BlobLayer } from "../image/blob-layer";
import type { ImageConfig } from "../image/config";
import type { Platform } from "../image/descriptor";
import type { OciIndex, OciManifest } from "../image/manifest";
import { MediaType } from "../image/media-types";
import { formatPlatform } from "../image/platform";
import { selectManifest } from "../registry/manifest-select";
import type { ImageResolver, ResolvedImage } from "../planner/dispatch/inputs";
import { pullImage } from "../registry/pull";
import { BuildError } from "./errors";
import { localImageKey } from "../registry/reference";
import { readAll } from "../bytes";
import { errorMessage } from "../errors";
import { BaseImageRows, type BaseImageProgress } from "./base-image-rows";

type LoadedImage = ResolvedImage & { manifest: OciManifest };

/** How base images are found. */
export interface BaseImageOptions {
  /** `--pull`: always ask the registry, even for a name the local store has. */
  pull?: boolean;
  /** `--insecure-registry` hosts. */
  insecure?: readonly string[];
  signal?: AbortSignal;
  /** Registry request limits (see NetworkLimits). */
  network?: NetworkLimits;
  /** Rows for the progress display (metadata, FROM with layer bytes). */
  progress?: BaseImageProgress;
}

/**
 * Base images for FROM and COPY --from=<image>: an image tagged in the local store (built
 * earlier), else the digest the tag had when it was last pulled (no request at all when its
 * blobs are cached), else pulled from its registry into the blob store. `--pull` skips both and
 * asks the registry (one manifest request when everything is cached). Resolved once per build;
 * the plan keys on the manifest digest.
 */
export class BaseImages implements ImageResolver {
  private readonly cache = new Map<string, Promise<LoadedImage>>();

  constructor(
    private readonly store: CacheStore,
    private readonly options: BaseImageOptions = {},
  ) {}

  /** Resolved once per (ref, platform): a multi-platform build resolves each base per platform. */
  resolve(ref: string, platform: Platform): Promise<ResolvedImage> {
    const key = cacheKey(ref, platform);
    let p = this.cache.get(key);
    if (!p) {
      p = this.load(ref, platform);
      this.cache.set(key, p);
    }
    return p;
  }

  /** The layers and config of an image resolved before for `platform`. */
  async layers(ref: string, platform: Platform): Promise<{ layers: BlobLayer[]; config: ImageConfig }> {
    await this.resolve(ref, platform);
    // resolve() has put the entry in the cache.
    const image = await (this.cache.get(cacheKey(ref, platform)) as Promise<LoadedImage>);
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

  private async load(ref: string, platform: Platform): Promise<LoadedImage> {
    const rows =
      this.options.progress !== undefined
        ? new BaseImageRows(this.options.progress, ref, formatPlatform(platform))
        : undefined;
    rows?.start();
    try {
      const loaded = await this.find(ref, platform, rows);
      rows?.end();
      return loaded;
    } catch (err) {
      rows?.fail(errorMessage(err));
      throw err;
    }
  }

  private async find(ref: string, platform: Platform, rows: BaseImageRows | undefined): Promise<LoadedImage> {
    const key = localImageKey(ref);
    const entry = this.options.pull
      ? undefined
      : ((key !== undefined ? await this.store.images.get(key) : undefined) ??
        (await this.store.images.find(ref))[0]);
    if (entry === undefined) {
      const pulled = await pullImage(ref, {
        store: this.store,
        platform,
        // docker build's rule: a tag pulled before is used as it was, unless --pull asks again.
        policy: this.options.pull === true ? "always" : "missing",
        ...(this.options.insecure ? { insecure: this.options.insecure } : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        ...(this.options.network ? { client: { limits: this.options.network } } : {}),
        ...(rows !== undefined
          ? { onManifest: (m) => rows.resolved(m.digest, m.manifest), onProgress: (p) => rows.blob(p) }
          : {}),
      });
      return { ref, digest: pulled.digest, config: pulled.config, manifest: pulled.manifest };
    }
    // A multi-platform build stores an index under its tags: take the platform's manifest.
    let manifestDigest = entry.manifestDigest;
    if (entry.mediaType === MediaType.ociIndex) {
      // A stored, digest-verified document written by tsbuild.
      const index = JSON.parse((await this.readBlob(manifestDigest)).toString("utf8")) as OciIndex;
      manifestDigest = selectManifest(index, platform, `resolve base image ${ref}`).digest;
    }
    // A stored, digest-verified document (built by tsbuild or checked when pulled).
    const manifest = JSON.parse((await this.readBlob(manifestDigest)).toString("utf8")) as OciManifest;
    // A stored, digest-verified document (built by tsbuild or checked when pulled).
    const config = JSON.parse((await this.readBlob(manifest.config.digest)).toString("utf8")) as ImageConfig;
    if (config.os !== platform.os || config.architecture !== platform.architecture) {
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
    rows?.resolved(manifestDigest, manifest);
    return { ref, digest: manifestDigest, config, manifest };
  }

  private async readBlob(digest: string): Promise<Buffer> {
    return readAll(await this.store.blobs.open(digest));
  }
}

function cacheKey(ref: string, platform: Platform): string {
  return `${ref} ${formatPlatform(platform)}`;
}
