import type { CacheStore } from "../cache";
import type { Image } from "../image/image";
import { pushImage } from "../registry/push";
import { parseTag } from "../registry/reference";
import { writeDockerArchive } from "../output/docker-archive";
import { writeLocal } from "../output/local";
import { writeOciArchive } from "../output/oci-archive";
import { writeOciLayout } from "../output/oci-layout";
import { writeRootfsTar } from "../output/rootfs-tar";
import { imageDigest } from "../image/image";
import { BuildError } from "./errors";
import type { CompressionRequest, LayerCompressor } from "./layer-compression";
import type { OutputSpec } from "./output-spec";
import type { BuildEventListener } from "./progress";

/**
 * The compression an output's layers get: its own compression= keys, else the build's. A Docker
 * archive holds plain tars (as `docker save` writes them) unless its -o asks for a compression;
 * outputs of a root filesystem need none (undefined).
 */
export function outputCompression(
  out: OutputSpec,
  build: CompressionRequest,
): CompressionRequest | undefined {
  if (out.type === "local" || out.type === "tar") return undefined;
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
 * Starts making each output's image (its layers in the compression it asks for, lazily through
 * `compressor`), all at once, so that compression runs while the build stores the image and
 * exports its cache. writeOutputs awaits them.
 */
export function prepareOutputs(
  image: Image,
  outputs: readonly OutputSpec[],
  compression: CompressionRequest,
  compressor: LayerCompressor,
): Array<Promise<Image>> {
  return outputs.map((out) => {
    const request = outputCompression(out, compression);
    if (request === undefined) return Promise.resolve(image);
    const p = compressor.image(image, request);
    p.catch(() => undefined); // awaited in order by writeOutputs; an earlier failure ends the build
    return p;
  });
}

/**
 * Phase: writes the image to each `--output` destination, one after the other, each as
 * `prepared` (prepareOutputs) made it. Returns the manifest digest of the first output that
 * writes one (archive, layout, push).
 */
export async function writeOutputs(
  image: Image,
  outputs: readonly OutputSpec[],
  prepared: ReadonlyArray<Promise<Image>>,
  opts: {
    tags: readonly string[];
    emit: BuildEventListener;
    tmpDir: string;
    store: CacheStore;
    insecure?: readonly string[];
    signal?: AbortSignal;
  },
): Promise<string | undefined> {
  let digest: string | undefined;
  for (const [i, out] of outputs.entries()) {
    const what = "dest" in out ? `${out.type} ${out.dest}` : out.type;
    const started = Date.now();
    opts.emit({ type: "export-start", what });
    const dest = "dest" in out && out.dest === "-" ? process.stdout : undefined;
    const exported = await prepared[i];
    switch (out.type) {
      case "oci":
        if (out.tar) await writeOciArchive(exported, dest ?? out.dest, refName(opts.tags));
        else await writeOciLayout(exported, out.dest, refName(opts.tags));
        digest ??= await imageDigest(exported);
        break;
      case "docker":
        await writeDockerArchive(exported, dest ?? out.dest, { tags: [...opts.tags] });
        break;
      case "local":
        await writeLocal(image, out.dest);
        break;
      case "tar":
        await writeRootfsTar(image, dest ?? out.dest);
        break;
      case "image":
        // The local image store always receives the image; push=true also sends it away.
        if (out.push) digest ??= await push(exported, out.names ?? [...opts.tags], opts);
        break;
      case "registry":
        digest ??= await push(exported, out.names ?? [...opts.tags], opts);
        break;
    }
    opts.emit({ type: "export-done", what, durationMs: Date.now() - started });
  }
  return digest;
}

/** `type=registry` / `--push`: each name receives the image; the digest is the build's. */
async function push(
  image: Image,
  names: readonly string[],
  opts: { store: CacheStore; insecure?: readonly string[]; signal?: AbortSignal },
): Promise<string> {
  if (names.length === 0)
    throw new BuildError("OUTPUT_NO_NAME", "--output type=registry needs name=<ref> or a -t tag");
  let digest = "";
  for (const name of names) {
    digest = await pushImage(image, name, {
      store: opts.store,
      ...(opts.insecure ? { insecure: opts.insecure } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
  return digest;
}

/** The OCI index's ref.name annotation: the first tag's tag part, like buildx's oci exporter. */
function refName(tags: readonly string[]): { refName?: string } {
  const first = tags[0];
  return first === undefined ? {} : { refName: parseTag(first).tag ?? "latest" };
}
