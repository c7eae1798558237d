import type { CacheStore } from "../cache";
import * as path from "node:path";
import type { Platform } from "../image/descriptor";
import type { Image } from "../image/image";
import type { PlatformImage } from "../image/image-index";
import { formatPlatform } from "../image/platform";
import { UsageError } from "../errors";
import { pushImageIndex } from "../registry/push-index";
import { writeOciIndexArchive, writeOciIndexLayout } from "../output/oci-index-layout";
import { pushImage } from "../registry/push";
import { formatReference, parseTag, tryParseReference } from "../registry/reference";
import { writeDockerArchive } from "../output/docker-archive";
import { writeLocal } from "../output/local";
import { writeOciArchive } from "../output/oci-archive";
import { writeOciLayout } from "../output/oci-layout";
import type { AttestationManifest } from "../attest/in-toto";
import { writeRootfsTar } from "../output/rootfs-tar";
import { configBlob, imageDigest } from "../image/image";
import { imageIndexBlob } from "../image/image-index";
import { loadIntoEngine, selectLoadEngine } from "../output/engine-load";
import { BuildError } from "./errors";
import type { CompressionRequest, LayerCompressor } from "./layer-compression";
import type { OutputSpec } from "./output-spec";
import type { BuildEventListener } from "./progress";
import { exportStatus, layerBytes, pushRows, tarballStatus, type ExportStatus } from "./export-rows";
import { sha256Digest } from "../image/digest";

/**
 * The compression an output's layers get: its own compression= keys, else the build's. A Docker
 * archive holds plain tars (as `docker save` writes them) unless its -o asks for a compression;
 * outputs of a root filesystem need none (undefined).
 */
export function outputCompression(
  out: OutputSpec,
  build: CompressionRequest,
): CompressionRequest | undefined {
  // A load pipes a Docker archive into the engine: plain tars, as `docker save` writes them.
  if (out.type === "local" || out.type === "tar" || out.type === "load") return undefined;
  if (out.type === "image" && !out.push) return undefined;
  const fallback: CompressionRequest = out.type === "docker" ? { compression: "uncompressed" } : build;
  const compression = out.compression ?? fallback.compression;
  const sameKind = out.compression === undefined || out.compression === fallback.compression;
  return {
    compression,
    level: out.compressionLevel ?? (sameKind ? fallback.level : undefined),
    force: out.forceCompression ?? fallback.force,
  };
}

/**
 * Starts making each output's images (their layers in the compression it asks for, lazily through
 * `compressor`), all at once, so that compression runs while the build stores the images and
 * exports its cache. writeOutputs awaits them.
 */
export function prepareOutputs(
  images: readonly PlatformImage[],
  outputs: readonly OutputSpec[],
  compression: CompressionRequest,
  compressor: LayerCompressor,
): Array<Promise<readonly PlatformImage[]>> {
  return outputs.map((out) => {
    const request = outputCompression(out, compression);
    if (request === undefined) return Promise.resolve(images);
    const p = Promise.all(
      images.map(async (i) => ({ platform: i.platform, image: await compressor.image(i.image, request) })),
    );
    p.catch(() => undefined); // awaited in order by writeOutputs; an earlier failure ends the build
    return p;
  });
}

/**
 * Checked before the build: outputs that cannot hold several platforms refuse a multi-platform
 * build up front (buildx's docker exporter refuses manifest lists too).
 */
export function checkMultiPlatformOutputs(
  outputs: readonly OutputSpec[],
  platforms: readonly Platform[],
): void {
  if (platforms.length < 2) return;
  const list = platforms.map(formatPlatform).join(", ");
  for (const out of outputs) {
    if (out.type === "docker" || out.type === "load")
      throw new UsageError(
        `${out.type === "load" ? "--load" : "--output type=docker"}: a Docker archive holds one platform, this build has ${platforms.length} (${list}); ` +
          "use type=oci for a multi-platform image, or build one --platform at a time",
      );
    if (out.type === "tar")
      throw new UsageError(
        `--output type=tar: a root filesystem tar holds one platform, this build has ${platforms.length} (${list}); ` +
          "use type=local (one directory per platform) or build one --platform at a time",
      );
  }
}

/**
 * Phase: writes the images to each `--output` destination, one after the other, each as
 * `prepared` (prepareOutputs) made them. Returns the digest (manifest, or index when several
 * platforms) of the first output that writes one (archive, layout, push).
 */
export async function writeOutputs(
  images: readonly PlatformImage[],
  outputs: readonly OutputSpec[],
  prepared: ReadonlyArray<Promise<readonly PlatformImage[]>>,
  opts: {
    tags: readonly string[];
    /**
     * Attestation manifests of the image an OCI output carries (other outputs have no place for
     * them, as in BuildKit).
     */
    attest?: (image: Image) => Promise<readonly AttestationManifest[]>;
    emit: BuildEventListener;
    tmpDir: string;
    store: CacheStore;
    insecure?: readonly string[];
    signal?: AbortSignal;
    /** For `type=load`: which engine (TSBUILD_LOAD) and the engine's environment. */
    env?: NodeJS.ProcessEnv;
    /** `--annotation index:` / `manifest-descriptor:` values for OCI layouts and archives. */
    layoutAnnotations?: { index?: Record<string, string>; descriptor?: Record<string, string> };
  },
): Promise<string | undefined> {
  checkMultiPlatformOutputs(
    outputs,
    images.map((i) => i.platform),
  );
  // One platform: the plain single-manifest outputs, exactly as before multi-platform builds.
  const image = images.length === 1 ? images[0].image : undefined;
  let digest: string | undefined;
  for (const [n, out] of outputs.entries()) {
    const what = "dest" in out ? `${out.type} ${out.dest}` : out.type;
    const started = Date.now();
    opts.emit({ type: "export-start", what });
    const status = exportStatus(opts.emit, what);
    const dest = "dest" in out && out.dest === "-" ? process.stdout : undefined;
    // The file an archive output writes, for its size row (none when it goes to stdout).
    const file = "dest" in out && out.dest !== "-" ? out.dest : undefined;
    status({ status: "exporting layers", done: false });
    const exported = await prepared[n];
    const bytes = await layerBytes(exported);
    status({ status: "exporting layers", current: bytes, total: bytes });
    const single = exported.length === 1 ? exported[0].image : undefined;
    switch (out.type) {
      case "oci": {
        const layout = { ...refName(out.names ?? opts.tags), ...(opts.layoutAnnotations ?? {}) };
        if (single === undefined) {
          if (out.tar) await writeOciIndexArchive(exported, dest ?? out.dest, layout);
          else await writeOciIndexLayout(exported, out.dest, layout);
          digest ??= (await imageIndexBlob(exported)).descriptor.digest;
        } else {
          // Attestations name the manifest this output carries (compressed as it asks).
          const attestations = opts.attest !== undefined ? await opts.attest(single) : [];
          const withAttestations = attestations.length > 0 ? { ...layout, attestations } : layout;
          if (out.tar) await writeOciArchive(single, dest ?? out.dest, withAttestations);
          else await writeOciLayout(single, out.dest, withAttestations);
          digest ??= await imageDigest(single);
          await manifestRows(status, single);
        }
        if (out.tar) await tarballStatus(status, file);
        break;
      }
      case "docker":
        // checkMultiPlatformOutputs refused several platforms.
        await writeDockerArchive(exported[0].image, dest ?? out.dest, {
          tags: [...(out.names ?? opts.tags)],
        });
        await manifestRows(status, exported[0].image);
        await tarballStatus(status, file);
        break;
      case "load": {
        const env = opts.env ?? process.env;
        const engine = out.engine ?? selectLoadEngine(env);
        if (engine === "none") {
          if (env.TSBUILD_LOAD !== "none")
            opts.emit({
              type: "warning",
              rule: "LoadNoEngine",
              message:
                "--load: no docker daemon or podman found (set TSBUILD_LOAD=podman|docker); the image is in tsbuild's local image store only",
            });
          break;
        }
        // checkMultiPlatformOutputs refused several platforms.
        await loadIntoEngine(exported[0].image, engine, out.names ?? opts.tags, env, opts.signal);
        break;
      }
      case "local":
        if (image !== undefined) await writeLocal(image, out.dest);
        else {
          // buildx's layout: one directory per platform, linux/arm/v7 → linux_arm_v7.
          for (const i of images)
            await writeLocal(i.image, path.join(out.dest, formatPlatform(i.platform).replace(/\//g, "_")));
        }
        break;
      case "tar":
        await writeRootfsTar(images[0].image, dest ?? out.dest);
        await tarballStatus(status, file);
        break;
      case "image":
        // The local image store always receives the image; push=true also sends it away.
        if (out.push) {
          // Pushed whether or not an earlier output named the digest (`??=` would skip the push).
          const pushed = await push(exported, out.names ?? [...opts.tags], { ...opts, status });
          digest ??= pushed;
        }
        break;
      case "registry":
        {
          const pushed = await push(exported, out.names ?? [...opts.tags], { ...opts, status });
          digest ??= pushed;
        }
        break;
    }
    opts.emit({ type: "export-done", what, durationMs: Date.now() - started });
  }
  return digest;
}

/** `type=registry` / `--push`: each name receives the image; the digest is the build's. */
async function push(
  images: readonly PlatformImage[],
  names: readonly string[],
  opts: { store: CacheStore; insecure?: readonly string[]; signal?: AbortSignal; status: ExportStatus },
): Promise<string> {
  if (names.length === 0)
    throw new BuildError("OUTPUT_NO_NAME", "--output type=registry needs name=<ref> or a -t tag");
  const rows = pushRows(opts.status);
  const pushOpts = {
    store: opts.store,
    onProgress: rows.onProgress,
    ...(opts.insecure ? { insecure: opts.insecure } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  let digest = "";
  for (const name of names) {
    rows.start();
    digest =
      images.length === 1
        ? await pushImage(images[0].image, name, pushOpts)
        : await pushImageIndex(images, name, pushOpts);
    const parsed = tryParseReference(name);
    rows.end(parsed !== undefined ? formatReference(parsed) : name, digest);
  }
  return digest;
}

/** `exporting manifest sha256:…` and `exporting config sha256:…`, as BuildKit's image exporters print. */
async function manifestRows(status: ExportStatus, image: Image): Promise<void> {
  status({ status: `exporting manifest ${await imageDigest(image)}` });
  status({ status: `exporting config ${sha256Digest(configBlob(image))}` });
}

/**
 * The OCI index's name annotations for the first tag, as BuildKit's oci exporter writes them:
 * org.opencontainers.image.ref.name is the tag part, io.containerd.image.name the full name
 * (what `podman load` and `ctr import` name the image by).
 */
function refName(tags: readonly string[]): { refName?: string; imageName?: string } {
  const first = tags[0];
  if (first === undefined) return {};
  const ref = parseTag(first);
  return { refName: ref.tag ?? "latest", imageName: formatReference(ref) };
}
