import type { Writable } from "node:stream";
import { digestHex, sha256Digest } from "../image/digest";
import { configBlob, type Image } from "../image/image";
import { serializeDockerManifest } from "../image/manifest";
import { bufferFile, writeArchiveTar, type ArchiveFile } from "./archive-file";
import { InvalidTagError } from "./errors";
import { layerBlobFiles } from "./oci-layout";

export interface DockerArchiveOptions {
  /** RepoTags, e.g. ["localhost/app:1.0"]; a name without a tag gets ":latest". */
  tags?: string[];
}

const TAG_RE =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;

/** "name" → "name:latest"; throws InvalidTagError for something that is not a reference. */
export function normalizeRepoTag(tag: string): string {
  if (!TAG_RE.test(tag))
    throw new InvalidTagError(
      `parse tag ${JSON.stringify(tag)}: not a valid image reference (name[:tag], lowercase)`,
    );
  const lastSlash = tag.lastIndexOf("/");
  return tag.slice(lastSlash + 1).includes(":") ? tag : `${tag}:latest`;
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
