import type { Writable } from "node:stream";
import { digestHex, sha256Digest } from "../image/digest";
import { configBlob, type Image } from "../image/image";
import { serializeDockerManifest } from "../image/manifest";
import { bufferFile, writeArchiveTar, type ArchiveFile } from "./archive-file";
import { InvalidReferenceError } from "../registry/errors";
import { familiarString, parseTag } from "../registry/reference";
import { InvalidTagError } from "./errors";
import { layerBlobFiles } from "./oci-layout";

export interface DockerArchiveOptions {
  /** RepoTags, e.g. ["localhost/app:1.0"]; a name without a tag gets ":latest". */
  tags?: string[];
}

/**
 * A RepoTags entry as `docker save` writes it, Docker's familiar form ("name" → "name:latest",
 * "docker.io/library/x" → "x:latest"); throws InvalidTagError for something that is not a tag.
 */
export function normalizeRepoTag(tag: string): string {
  try {
    return familiarString(parseTag(tag));
  } catch (err) {
    if (!(err instanceof InvalidReferenceError)) throw err;
    throw new InvalidTagError(`parse tag ${JSON.stringify(tag)}: ${err.reason}`);
  }
}

/**
 * The files of a Docker archive (`docker save` layout as Docker 25+ writes it: manifest.json
 * naming blobs under blobs/sha256/). Layer blobs are shipped as built (compressed); docker load
 * and podman load detect the compression and check each layer's diff_id.
 */
export async function dockerArchiveFiles(
  image: Image,
  opts: DockerArchiveOptions = {},
): Promise<ArchiveFile[]> {
  const repoTags = (opts.tags ?? []).map(normalizeRepoTag);
  const config = configBlob(image);
  const configPath = `blobs/sha256/${digestHex(sha256Digest(config))}`;
  const layers = await Promise.all(
    image.layers.map(async (l) => `blobs/sha256/${digestHex(await l.digest())}`),
  );
  return [
    ...(await layerBlobFiles(image)),
    bufferFile(configPath, config),
    bufferFile(
      "manifest.json",
      serializeDockerManifest([{ Config: configPath, RepoTags: repoTags, Layers: layers }]),
    ),
  ];
}

/** type=docker: a tar `docker load` / `podman load` accept. */
export async function writeDockerArchive(
  image: Image,
  dest: string | Writable,
  opts: DockerArchiveOptions = {},
): Promise<void> {
  await writeArchiveTar(await dockerArchiveFiles(image, opts), dest);
}
