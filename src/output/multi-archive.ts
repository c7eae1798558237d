import type { Writable } from "node:stream";
import type { Image } from "../image/image";
import {
  serializeDockerManifest,
  serializeIndex,
  type DockerManifestEntry,
  type OciIndex,
} from "../image/manifest";
import { MediaType } from "../image/media-types";
import { writeArchiveTar, bufferFile, type ArchiveFile } from "./archive-file";
import { dockerArchiveFiles } from "./docker-archive";
import { ociLayoutFiles } from "./oci-layout";
import { readAll } from "../bytes";

/** One image of a several-image archive, with the names it is saved under. */
export interface ArchiveImage {
  image: Image;
  /** OCI: the ref.name annotation (a tag); Docker: RepoTags. */
  refName?: string;
  tags: string[];
}

/**
 * `save A B ...` as one tar: every image's blobs once, and one index.json (OCI: one manifest
 * entry per image and name) or manifest.json (Docker: one entry per image), as `docker save` and
 * `skopeo copy` of several images write them.
 */
export async function writeMultiImageArchive(
  images: readonly ArchiveImage[],
  format: "oci" | "docker",
  dest: string | Writable,
): Promise<void> {
  const files = new Map<string, ArchiveFile>();
  const ociEntries: OciIndex["manifests"] = [];
  const dockerEntries: DockerManifestEntry[] = [];
  for (const item of images) {
    const parts =
      format === "oci"
        ? await ociLayoutFiles(item.image, item.refName !== undefined ? { refName: item.refName } : {})
        : await dockerArchiveFiles(item.image, { tags: item.tags });
    for (const f of parts) {
      if (f.path === "index.json") {
        // index.json and manifest.json below are the ones this process just wrote.
        const index = JSON.parse((await readAll(await f.open())).toString("utf8")) as OciIndex;
        ociEntries.push(...index.manifests);
      } else if (f.path === "manifest.json") {
        dockerEntries.push(
          // written by dockerArchiveFiles above
          ...(JSON.parse((await readAll(await f.open())).toString("utf8")) as DockerManifestEntry[]),
        );
      } else if (!files.has(f.path)) files.set(f.path, f);
    }
  }
  const last =
    format === "oci"
      ? bufferFile(
          "index.json",
          serializeIndex({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: ociEntries }),
        )
      : bufferFile("manifest.json", serializeDockerManifest(dockerEntries));
  await writeArchiveTar([...files.values(), last], dest);
}
