import { digestHex, sha256Digest } from "../image/digest";
import { configBlob, manifestBlob, manifestDescriptor, type Image } from "../image/image";
import { serializeIndex, singleManifestIndex } from "../image/manifest";
import { bufferFile, writeArchiveDir, type ArchiveFile } from "./archive-file";
import type { AttestationManifest } from "../attest/in-toto";
import type { Descriptor } from "../image/descriptor";
import { MediaType } from "../image/media-types";

export interface OciLayoutOptions {
  /** Written as the org.opencontainers.image.ref.name annotation (e.g. "latest" or "app:1.0"). */
  refName?: string;
  /**
   * The full image name ("docker.io/library/app:1.0"), written as io.containerd.image.name
   * beside ref.name, as BuildKit does: podman and containerd name the loaded image by it.
   */
  imageName?: string;
  /** Extra annotations on the index's manifest descriptor (`--annotation manifest-descriptor:`). */
  descriptor?: Record<string, string>;
  /** Annotations of index.json itself (`--annotation index:`). */
  index?: Record<string, string>;
  /**
   * Attestation manifests (provenance, SBOM) to store beside the image. With any, the layout's
   * index.json points at an image index holding the image and them, as BuildKit writes it.
   */
  attestations?: readonly AttestationManifest[];
}

/** containerd's image-name annotation (images.AnnotationImageName). */
export const AnnotationImageName = "io.containerd.image.name";

const OCI_LAYOUT = Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" }));

/** Layer blobs of an image, each digest once (an image may repeat a layer). */
export async function layerBlobFiles(image: Image): Promise<ArchiveFile[]> {
  const seen = new Set<string>();
  const files: ArchiveFile[] = [];
  for (const layer of image.layers) {
    const digest = await layer.digest();
    if (seen.has(digest)) continue;
    seen.add(digest);
    files.push({
      path: `blobs/sha256/${digestHex(digest)}`,
      size: await layer.size(),
      open: () => layer.compressed(),
    });
  }
  return files;
}

/** The files of an OCI image layout holding `image`: oci-layout, blobs, index.json. */
export async function ociLayoutFiles(image: Image, opts: OciLayoutOptions = {}): Promise<ArchiveFile[]> {
  const config = configBlob(image);
  const manifest = await manifestBlob(image);
  const desc = await manifestDescriptor(image);
  const attestations = opts.attestations ?? [];
  const extra: ArchiveFile[] = [];
  let top: Descriptor = desc;
  if (attestations.length > 0) {
    const imageIndex = serializeIndex({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [desc, ...attestations.map((a) => a.descriptor)],
    });
    const indexDigest = sha256Digest(imageIndex);
    for (const a of attestations)
      for (const b of a.blobs) extra.push(bufferFile(`blobs/sha256/${digestHex(b.digest)}`, b.data));
    extra.push(bufferFile(`blobs/sha256/${digestHex(indexDigest)}`, imageIndex));
    top = { mediaType: MediaType.ociIndex, digest: indexDigest, size: imageIndex.length };
  }
  const annotations = {
    ...(opts.descriptor ?? {}),
    ...(opts.imageName !== undefined ? { [AnnotationImageName]: opts.imageName } : {}),
  };
  if (Object.keys(annotations).length > 0) top.annotations = annotations;
  const index = singleManifestIndex(top, opts.refName);
  if (opts.index !== undefined && Object.keys(opts.index).length > 0) index.annotations = { ...opts.index };
  const indexBlob = serializeIndex(index);
  return [
    bufferFile("oci-layout", OCI_LAYOUT),
    ...(await layerBlobFiles(image)),
    bufferFile(`blobs/sha256/${digestHex(sha256Digest(config))}`, config),
    bufferFile(`blobs/sha256/${digestHex(desc.digest)}`, manifest),
    ...extra,
    bufferFile("index.json", indexBlob),
  ];
}

/** type=oci,tar=false: an OCI image layout directory. index.json is replaced with this image. */
export async function writeOciLayout(image: Image, dir: string, opts: OciLayoutOptions = {}): Promise<void> {
  await writeArchiveDir(await ociLayoutFiles(image, opts), dir);
}
