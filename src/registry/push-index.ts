import { imageDigest } from "../image/image";
import { imageIndexBlob, type PlatformImage } from "../image/image-index";
import { MediaType } from "../image/media-types";
import { repositoryScope } from "./auth/authenticator";
import { dockerConfigCredentials } from "./auth/docker-config";
import { RegistryClient } from "./http-client";
import { putManifest } from "./manifest-put";
import { pushImageDetailed, type PushOptions } from "./push";
import { formatReference, manifestIdentifier, parseReference, type Reference } from "./reference";

/**
 * Pushes a multi-platform image to `reference`: each platform's image first (blobs, then its
 * manifest by digest, so no tag ever points at a half-pushed image), then the image index under
 * the tag. Returns the index digest.
 */
export async function pushImageIndex(
  images: readonly PlatformImage[],
  reference: string | Reference,
  opts: PushOptions = {},
): Promise<string> {
  const ref = typeof reference === "string" ? parseReference(reference) : reference;
  const what = `push ${formatReference(ref)}`;
  const { blob, descriptor } = await imageIndexBlob(images);
  for (const { image } of images) {
    await pushImageDetailed(image, { ...ref, digest: await imageDigest(image) }, opts);
  }
  const scopes = [repositoryScope(ref.repository, "pull,push")];
  const client = new RegistryClient(ref.registry, {
    insecure: opts.insecure,
    credentials: opts.credentials ?? dockerConfigCredentials(),
    ...(opts.client ?? {}),
  });
  await putManifest(client, {
    repository: ref.repository,
    reference: manifestIdentifier(ref),
    mediaType: MediaType.ociIndex,
    body: blob,
    digest: descriptor.digest,
    scopes,
    what: `${what}: put image index ${descriptor.digest}`,
    signal: opts.signal,
    mismatch: (stored) =>
      `${what}: registry ${ref.registry} stored the index as ${stored}, expected ${descriptor.digest}`,
  });
  return descriptor.digest;
}
