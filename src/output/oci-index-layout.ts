import type { Writable } from "node:stream";
import { digestHex, sha256Digest } from "../image/digest";
import { imageIndexBlob, type PlatformImage } from "../image/image-index";
import { configBlob, manifestBlob } from "../image/image";
import { AnnotationRefName, serializeIndex } from "../image/manifest";
import { MediaType } from "../image/media-types";
import { bufferFile, writeArchiveDir, writeArchiveTar, type ArchiveFile } from "./archive-file";
import { AnnotationImageName, layerBlobFiles, type OciLayoutOptions } from "./oci-layout";

const OCI_LAYOUT = Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" }));

/**
 * The files of an OCI layout holding a multi-platform image, as buildx's oci exporter writes
 * it: every platform's blobs (each digest once), the image index as a blob, and index.json
 * with one descriptor, of the image index, carrying the ref.name annotation.
 */
export async function ociIndexLayoutFiles(
  images: readonly PlatformImage[],
  opts: OciLayoutOptions = {},
): Promise<ArchiveFile[]> {
  const files = new Map<string, ArchiveFile>();
  const add = (f: ArchiveFile): void => void (files.has(f.path) || files.set(f.path, f));
  for (const { image } of images) {
    for (const f of await layerBlobFiles(image)) add(f);
    const config = configBlob(image);
    add(bufferFile(`blobs/sha256/${digestHex(sha256Digest(config))}`, config));
    const manifest = await manifestBlob(image);
    add(bufferFile(`blobs/sha256/${digestHex(sha256Digest(manifest))}`, manifest));
  }
  const { blob, descriptor } = await imageIndexBlob(images);
  add(bufferFile(`blobs/sha256/${digestHex(descriptor.digest)}`, blob));
  const annotations = {
    ...(opts.descriptor ?? {}),
    ...(opts.imageName !== undefined ? { [AnnotationImageName]: opts.imageName } : {}),
    ...(opts.refName !== undefined ? { [AnnotationRefName]: opts.refName } : {}),
  };
  if (Object.keys(annotations).length > 0) descriptor.annotations = annotations;
  const top = serializeIndex({
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [descriptor],
    ...(opts.index !== undefined && Object.keys(opts.index).length > 0
      ? { annotations: { ...opts.index } }
      : {}),
  });
  return [bufferFile("oci-layout", OCI_LAYOUT), ...files.values(), bufferFile("index.json", top)];
}

/** type=oci for several platforms: the layout as a tar archive. */
export async function writeOciIndexArchive(
  images: readonly PlatformImage[],
  dest: string | Writable,
  opts: OciLayoutOptions = {},
): Promise<void> {
  await writeArchiveTar(await ociIndexLayoutFiles(images, opts), dest);
}

/** type=oci,tar=false for several platforms: the layout as a directory. */
export async function writeOciIndexLayout(
  images: readonly PlatformImage[],
  dir: string,
  opts: OciLayoutOptions = {},
): Promise<void> {
  await writeArchiveDir(await ociIndexLayoutFiles(images, opts), dir);
}
