import { sha256Digest } from "../image/digest";
import { MediaType } from "../image/media-types";
import { RegistryError } from "./errors";
import { headerValue, type RegistryClient } from "./http-client";
import { drain, readBody, TransportFailure } from "./transport";
import { errorMessage } from "../errors";
import { isRecord } from "../guards";

/** What tsbuild asks for, best first: multi-platform lists, then single-image manifests. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
];
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/** Manifests larger than this are refused (containerd and distribution use 4 MiB too). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim() ?? "";
}

/**
 * HEAD of a manifest: its digest and type without the body. Undefined when the registry does not
 * send Docker-Content-Digest (then only a GET can tell).
 */
export async function headManifest(
  client: RegistryClient,
  repository: string,
  identifier: string,
  scopes: readonly string[],
  what: string,
  signal?: AbortSignal,
): Promise<ManifestHead | undefined> {
  const res = await client.send({
    method: "HEAD",
    path: `/v2/${repository}/manifests/${identifier}`,
    headers: { accept: MANIFEST_ACCEPT },
    scopes,
    what,
    signal,
  });
  await drain(res.body);
  const digest = headerValue(res.headers["docker-content-digest"]);
  if (!digest || !/^sha256:[a-f0-9]{64}$/.test(digest)) return undefined;
  return {
    digest,
    mediaType: mediaTypeOf(res.headers["content-type"]),
    size: Number(res.headers["content-length"] ?? -1),
  };
}

/**
 * GETs a manifest and checks it: size under the cap (before and while reading), a media type we
 * handle, and a digest matching the one asked for (digest references) or the one the registry
 * announced in Docker-Content-Digest (tags).
 */
export async function fetchManifest(
  client: RegistryClient,
  repository: string,
  identifier: string,
  scopes: readonly string[],
  what: string,
  signal?: AbortSignal,
): Promise<FetchedManifest> {
  const res = await client.send({
    method: "GET",
    path: `/v2/${repository}/manifests/${identifier}`,
    headers: { accept: MANIFEST_ACCEPT },
    scopes,
    what,
    signal,
  });
  const declared = Number(res.headers["content-length"] ?? 0);
  if (declared > MAX_MANIFEST_BYTES) {
    res.body.destroy();
    throw new RegistryError(
      "REGISTRY_MANIFEST_TOO_LARGE",
      `${what}: registry ${client.registry} sent a ${declared}-byte manifest, over the ${MAX_MANIFEST_BYTES}-byte limit`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readBody(res.body, MAX_MANIFEST_BYTES);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new RegistryError(
        "REGISTRY_MANIFEST_TOO_LARGE",
        `${what}: registry ${client.registry} sent a manifest over the ${MAX_MANIFEST_BYTES}-byte limit`,
      );
    }
    if (err instanceof TransportFailure && err.code === "ETIMEDOUT") {
      throw new RegistryError(
        "REGISTRY_TIMEOUT",
        `${what}: registry ${client.registry} timed out sending the manifest: ${err.message}`,
        { cause: err },
      );
    }
    throw new RegistryError(
      "REGISTRY_BLOB_TRUNCATED",
      `${what}: manifest body from ${client.registry} ended early (${errorMessage(err)})`,
      { cause: err },
    );
  }
  if (declared > 0 && bytes.length !== declared) {
    throw new RegistryError(
      "REGISTRY_BLOB_TRUNCATED",
      `${what}: manifest from ${client.registry} has ${bytes.length} bytes, Content-Length said ${declared}`,
    );
  }
  const digest = sha256Digest(bytes);
  const expected = identifier.startsWith("sha256:")
    ? identifier
    : headerValue(res.headers["docker-content-digest"]);
  if (expected !== undefined && expected !== digest) {
    throw new RegistryError(
      "REGISTRY_DIGEST_MISMATCH",
      `${what}: manifest from ${client.registry} hashes to ${digest}, expected ${expected}`,
    );
  }
  const mediaType = manifestMediaType(bytes, mediaTypeOf(res.headers["content-type"]), what, client.registry);
  return { digest, mediaType, bytes };
}

/**
 * The manifest's media type: the body's `mediaType` field, else the Content-Type. Refuses types
 * tsbuild does not read (schema1, artifacts) and a body that contradicts its Content-Type.
 */
export function manifestMediaType(
  bytes: Buffer,
  contentType: string,
  what: string,
  registry: string,
): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new RegistryError("REGISTRY_MANIFEST_INVALID", `${what}: manifest from ${registry} is not JSON`);
  }
  if (!isRecord(parsed))
    throw new RegistryError(
      "REGISTRY_MANIFEST_INVALID",
      `${what}: manifest from ${registry} is not a JSON object`,
    );
  if (parsed.schemaVersion === 1) {
    throw new RegistryError(
      "REGISTRY_MEDIA_TYPE",
      `${what}: registry ${registry} serves a Docker schema 1 manifest, which tsbuild does not read`,
    );
  }
  const inBody = typeof parsed.mediaType === "string" ? parsed.mediaType : undefined;
  const inferred =
    inBody ??
    (MANIFEST_MEDIA_TYPES.includes(contentType)
      ? contentType
      : Array.isArray(parsed.manifests)
        ? MediaType.ociIndex
        : parsed.config
          ? MediaType.ociManifest
          : contentType);
  if (!MANIFEST_MEDIA_TYPES.includes(inferred)) {
    throw new RegistryError(
      "REGISTRY_MEDIA_TYPE",
      `${what}: registry ${registry} sent media type ${JSON.stringify(inferred || "(none)")}, not an image manifest or index`,
    );
  }
  if (inBody && contentType && MANIFEST_MEDIA_TYPES.includes(contentType) && contentType !== inBody) {
    throw new RegistryError(
      "REGISTRY_MEDIA_TYPE",
      `${what}: registry ${registry} labelled a ${inBody} manifest as ${contentType}`,
    );
  }
  return inferred;
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}
