import { canonicalPlatform, type Descriptor, type Platform } from "./descriptor";
import { sha256Digest } from "./digest";
import { manifestDescriptor, type Image } from "./image";
import { serializeIndex, type OciIndex } from "./manifest";
import { MediaType } from "./media-types";

/** One image of a multi-platform build and the platform it was built for. */
export interface PlatformImage {
  readonly platform: Platform;
  readonly image: Image;
}

/**
 * The OCI image index of a multi-platform image: one manifest descriptor per platform, in the
 * order the platforms were asked for. Each descriptor names the platform requested (normalised),
 * as BuildKit writes it, whatever variant the base image's config carries.
 */
export async function imageIndex(images: readonly PlatformImage[]): Promise<OciIndex> {
  const manifests: Descriptor[] = [];
  for (const { platform, image } of images) {
    manifests.push({ ...(await manifestDescriptor(image)), platform: canonicalPlatform(platform) });
  }
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
}

/** The index blob and its descriptor. */
export async function imageIndexBlob(
  images: readonly PlatformImage[],
): Promise<{ blob: Buffer; descriptor: Descriptor }> {
  const blob = serializeIndex(await imageIndex(images));
  return {
    blob,
    descriptor: { mediaType: MediaType.ociIndex, digest: sha256Digest(blob), size: blob.length },
  };
}
