import { imageDigest } from "../image/image";
import { imageIndexBlob, type PlatformImage } from "../image/image-index";
import { MediaType } from "../image/media-types";
import { repositoryScope } from "./auth/authenticator";
import { dockerConfigCredentials } from "./auth/docker-config";
import { RegistryError } from "./errors";
import { RegistryClient, headerValue } from "./http-client";
import { pushImageDetailed, type PushOptions } from "./push";
import { formatReference, manifestIdentifier, parseReference, type Reference } from "./reference";
import { drain } from "./transport";

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
  const res = await client.send(
    {
      method: "PUT",
      path: `/v2/${ref.repository}/manifests/${manifestIdentifier(ref)}`,
      headers: { "content-type": MediaType.ociIndex },
      body: blob,
      scopes,
      what: `${what}: put image index ${descriptor.digest}`,
      signal: opts.signal,
    },
    (s) => s === 201 || s === 200,
  );
  await drain(res.body);
  const stored = headerValue(res.headers["docker-content-digest"]);
  if (stored !== undefined && stored !== descriptor.digest) {
    throw new RegistryError(
      "REGISTRY_DIGEST_MISMATCH",
      `${what}: registry ${ref.registry} stored the index as ${stored}, expected ${descriptor.digest}`,
    );
  }
  return descriptor.digest;
}
