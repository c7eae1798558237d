import { Readable } from "node:stream";
import pLimit from "p-limit";
import type { CacheStore } from "../cache/cache-store";
import { BlobLayer } from "../image/blob-layer";
import type { ImageConfig } from "../image/config";
import type { Descriptor, Platform } from "../image/descriptor";
import type { Layer } from "../image/layer";
import type { OciIndex, OciManifest } from "../image/manifest";
import { MediaType, compressionOfMediaType } from "../image/media-types";
import { repositoryScope } from "./auth/authenticator";
import { dockerConfigCredentials } from "./auth/docker-config";
import type { CredentialSource } from "./auth/credentials";
import { fetchBlobToStore, type BlobProgress } from "./blob-fetch";
import { RegistryError } from "./errors";
import { RegistryClient, type RegistryClientOptions } from "./http-client";
import {
  MAX_MANIFEST_BYTES,
  fetchManifest,
  headManifest,
  type ManifestHead,
  isIndexMediaType,
  manifestMediaType,
} from "./manifest-fetch";
import { hostPlatform, selectManifest } from "./manifest-select";
import { RefCache } from "./ref-cache";
import {
  formatReference,
  manifestIdentifier,
  parseReference,
  referenceName,
  type Reference,
} from "./reference";
import { asBuffer } from "../bytes";
import { isRecord } from "../guards";
import { settleAll } from "../settle";

export interface PullOptions {
  store: CacheStore;
  /** Default: the host's platform. */
  platform?: Platform;
  /** `--insecure-registry` hosts (loopback never needs listing). */
  insecure?: readonly string[] | undefined;
  /** Default: ~/.docker/config.json and its credential helpers. */
  credentials?: CredentialSource;
  /**
   * "always" (default, and `--pull`): ask the registry what the tag points at (one HEAD when
   * everything is cached). "missing": use the tag's last known digest when its manifest is cached,
   * with no request at all. Digest references never need a request once cached.
   */
  policy?: "always" | "missing";
  /** Concurrent blob downloads. */
  concurrency?: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: BlobProgress) => void) | undefined;
  /** Called once the platform's image manifest is known, before any blob is downloaded. */
  onManifest?: ((m: { digest: string; manifest: OciManifest }) => void) | undefined;
  /** Test hooks: retry policy and timeouts. */
  client?: Pick<RegistryClientOptions, "retry" | "timeoutMs" | "limits">;
}

export interface PulledImage {
  /** The reference pinned to the image manifest's digest. */
  ref: Reference;
  /** Digest of the platform's image manifest (the image digest). */
  digest: string;
  /** Digest of the index the tag pointed at, when it was a multi-platform list. */
  indexDigest: string | undefined;
  manifest: OciManifest;
  config: ImageConfig;
  /** Oldest first; blobs are in the store. */
  layers: Layer[];
  /** Registry operations (HEAD/GET manifest, blob GETs) this pull needed; 0 when all came from the cache. */
  requests: number;
}

const CONFIG_MEDIA_TYPES = new Set<string>([MediaType.ociConfig, MediaType.dockerConfig]);
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** Pull session state: the client is created only when a request turns out to be needed. */
class PullContext {
  private clientInstance: RegistryClient | undefined;
  requests = 0;
  readonly scopes: string[];
  readonly what: string;

  constructor(
    readonly ref: Reference,
    readonly opts: PullOptions,
  ) {
    this.scopes = [repositoryScope(ref.repository, "pull")];
    this.what = `pull ${formatReference(ref)}`;
  }

  get client(): RegistryClient {
    this.requests++;
    this.clientInstance ??= new RegistryClient(this.ref.registry, {
      insecure: this.opts.insecure,
      credentials: this.opts.credentials ?? dockerConfigCredentials(),
      ...(this.opts.client ?? {}),
    });
    return this.clientInstance;
  }
}

async function readStoredJson(store: CacheStore, digest: string, limit: number): Promise<Buffer | undefined> {
  if (!(await store.blobs.has(digest))) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of await store.blobs.open(digest)) {
      const buf = asBuffer(chunk);
      size += buf.length;
      if (size > limit) return undefined;
      chunks.push(buf);
    }
  } catch {
    return undefined; // corrupt (evicted by the verified read) or raced with prune: fetch again
  }
  return Buffer.concat(chunks);
}

/** A manifest by digest: from the store when cached, else fetched and stored. */
async function manifestByDigest(
  ctx: PullContext,
  digest: string,
): Promise<{ mediaType: string; bytes: Buffer }> {
  const cached = await readStoredJson(ctx.opts.store, digest, MAX_MANIFEST_BYTES);
  if (cached) return { mediaType: manifestMediaType(cached, "", ctx.what, ctx.ref.registry), bytes: cached };
  const fetched = await fetchManifest(
    ctx.client,
    ctx.ref.repository,
    digest,
    ctx.scopes,
    ctx.what,
    ctx.opts.signal,
  );
  await ctx.opts.store.blobs.put(Readable.from([fetched.bytes]), {
    digest: fetched.digest,
    size: fetched.bytes.length,
  });
  return fetched;
}

/**
 * HEAD of the tag; undefined (so the caller GETs) when the registry gives no digest or refuses with
 * 401/403/404 — a HEAD answer has no body, and the GET's error body says why.
 */
async function headOrFallBack(ctx: PullContext): Promise<ManifestHead | undefined> {
  try {
    return await headManifest(
      ctx.client,
      ctx.ref.repository,
      manifestIdentifier(ctx.ref),
      ctx.scopes,
      ctx.what,
      ctx.opts.signal,
    );
  } catch (err) {
    if (err instanceof RegistryError && (err.status === 401 || err.status === 403 || err.status === 404))
      return undefined;
    throw err;
  }
}

/** The top-level manifest digest for the reference: pinned, cached tag, HEAD, or GET. */
async function resolveTop(ctx: PullContext): Promise<{ digest: string; mediaType: string; bytes: Buffer }> {
  const { ref, opts } = ctx;
  if (ref.digest) return { digest: ref.digest, ...(await manifestByDigest(ctx, ref.digest)) };
  const refs = new RefCache(opts.store.paths.registryRefs);
  if (opts.policy === "missing") {
    const cachedDigest = await refs.resolved(ref);
    if (cachedDigest && (await opts.store.blobs.has(cachedDigest)))
      return { digest: cachedDigest, ...(await manifestByDigest(ctx, cachedDigest)) };
  }
  // HEAD only pays off when a manifest may be cached; a first pull goes straight to GET.
  const known = await refs.resolved(ref);
  const head = known !== undefined ? await headOrFallBack(ctx) : undefined;
  if (head && (await opts.store.blobs.has(head.digest))) {
    const cached = await manifestByDigest(ctx, head.digest);
    await refs.record({ ref, digest: head.digest });
    return { digest: head.digest, ...cached };
  }
  const fetched = await fetchManifest(
    ctx.client,
    ref.repository,
    manifestIdentifier(ref),
    ctx.scopes,
    ctx.what,
    opts.signal,
  );
  await opts.store.blobs.put(Readable.from([fetched.bytes]), {
    digest: fetched.digest,
    size: fetched.bytes.length,
  });
  await refs.record({ ref, digest: fetched.digest });
  return fetched;
}

function parseJson<T>(bytes: Buffer, what: string, registry: string, kind: string): T {
  try {
    // Typed parse: checkImageManifest and the callers check the fields they use.
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch {
    throw new RegistryError("REGISTRY_MANIFEST_INVALID", `${what}: ${kind} from ${registry} is not JSON`);
  }
}

/**
 * A document with both `manifests` and `layers` (or `config`) reads as an index to one client and
 * as an image to another (containerd CVE-2021-41190, OCI image-spec 1.0.2): refused.
 */
function rejectAmbiguous(bytes: Buffer, what: string, registry: string): void {
  const doc = parseJson<Record<string, unknown>>(bytes, what, registry, "manifest");
  if (isRecord(doc) && "manifests" in doc && ("layers" in doc || "config" in doc))
    throw new RegistryError(
      "REGISTRY_MANIFEST_INVALID",
      `${what}: manifest from ${registry} is ambiguous: it has both "manifests" and "${"layers" in doc ? "layers" : "config"}" (CVE-2021-41190)`,
    );
}

function checkImageManifest(m: OciManifest, what: string, registry: string): void {
  const isDescriptor = (d: unknown): d is Descriptor =>
    isRecord(d) &&
    typeof d.digest === "string" &&
    /^sha256:[a-f0-9]{64}$/.test(d.digest) &&
    typeof d.size === "number" &&
    Number.isSafeInteger(d.size) &&
    d.size >= 0 &&
    typeof d.mediaType === "string";
  if (!isDescriptor(m.config) || !Array.isArray(m.layers) || !m.layers.every(isDescriptor)) {
    throw new RegistryError(
      "REGISTRY_MANIFEST_INVALID",
      `${what}: image manifest from ${registry} has a malformed config or layer descriptor`,
    );
  }
  if (!CONFIG_MEDIA_TYPES.has(m.config.mediaType)) {
    throw new RegistryError(
      "REGISTRY_MEDIA_TYPE",
      `${what}: registry ${registry} sent config media type ${JSON.stringify(m.config.mediaType)}, not an image config`,
    );
  }
  if (m.config.size > MAX_CONFIG_BYTES) {
    throw new RegistryError(
      "REGISTRY_MANIFEST_TOO_LARGE",
      `${what}: config ${m.config.digest} is ${m.config.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit`,
    );
  }
  for (const l of m.layers) {
    if (!compressionOfMediaType(l.mediaType)) {
      throw new RegistryError(
        "REGISTRY_MEDIA_TYPE",
        `${what}: layer ${l.digest} from ${registry} has media type ${JSON.stringify(l.mediaType)}, which tsbuild cannot unpack`,
      );
    }
  }
}

/**
 * Pulls `reference` into the cache store: resolves the tag (one HEAD when the manifest is
 * cached), picks the platform's manifest from an index, and downloads the config and missing
 * layers concurrently, each verified against its digest before it becomes visible in the store.
 */
export async function pullImage(reference: string | Reference, opts: PullOptions): Promise<PulledImage> {
  const ref = typeof reference === "string" ? parseReference(reference) : reference;
  const ctx = new PullContext(ref, opts);
  const platform = opts.platform ?? hostPlatform();
  const top = await resolveTop(ctx);
  rejectAmbiguous(top.bytes, ctx.what, ref.registry);
  let manifestDigest = top.digest;
  let manifestBytes = top.bytes;
  let indexDigest: string | undefined;
  if (isIndexMediaType(top.mediaType)) {
    indexDigest = top.digest;
    const index = parseJson<OciIndex>(top.bytes, ctx.what, ref.registry, "index");
    if (!Array.isArray(index.manifests))
      throw new RegistryError(
        "REGISTRY_MANIFEST_INVALID",
        `${ctx.what}: index from ${ref.registry} has no manifests list`,
      );
    const chosen = selectManifest(index, platform, ctx.what);
    const child = await manifestByDigest(ctx, chosen.digest);
    rejectAmbiguous(child.bytes, ctx.what, ref.registry);
    if (isIndexMediaType(child.mediaType)) {
      throw new RegistryError(
        "REGISTRY_MEDIA_TYPE",
        `${ctx.what}: index entry ${chosen.digest} is itself an index (nested indexes are not supported)`,
      );
    }
    manifestDigest = chosen.digest;
    manifestBytes = child.bytes;
  }
  const manifest = parseJson<OciManifest>(manifestBytes, ctx.what, ref.registry, "manifest");
  checkImageManifest(manifest, ctx.what, ref.registry);
  opts.onManifest?.({ digest: manifestDigest, manifest });

  const limit = pLimit(opts.concurrency ?? 6);
  const blobs = [manifest.config, ...manifest.layers];
  const unique = [...new Map(blobs.map((d) => [d.digest, d])).values()];
  // The first failed blob cancels the others, and the pull fails only once every fetch has
  // settled (its temp file removed): a failed pull leaves nothing half-written in the store.
  await settleAll(
    unique.map(
      (desc) => (signal) =>
        limit(async () => {
          if (await opts.store.blobs.has(desc.digest)) {
            opts.onProgress?.({
              digest: desc.digest,
              current: desc.size,
              total: desc.size,
              status: "exists",
            });
            return;
          }
          await fetchBlobToStore(ctx.client, ref.repository, desc, opts.store.blobs, {
            scopes: ctx.scopes,
            what: ctx.what,
            signal,
            onProgress: opts.onProgress,
          });
        }),
    ),
    opts.signal,
  );

  const configBytes = await readStoredJson(opts.store, manifest.config.digest, MAX_CONFIG_BYTES);
  if (!configBytes)
    throw new RegistryError(
      "REGISTRY_BLOB_UNKNOWN",
      `${ctx.what}: config ${manifest.config.digest} vanished from the store after download`,
    );
  const config = parseJson<ImageConfig>(configBytes, ctx.what, ref.registry, "config");
  const diffIds = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) {
    throw new RegistryError(
      "REGISTRY_MANIFEST_INVALID",
      `${ctx.what}: config lists ${Array.isArray(diffIds) ? diffIds.length : "no"} diff_ids for ${manifest.layers.length} layers`,
    );
  }
  const layers = manifest.layers.map(
    (l, i) =>
      new BlobLayer({
        path: opts.store.blobs.path(l.digest),
        digest: l.digest,
        diffId: diffIds[i],
        size: l.size,
        mediaType: l.mediaType,
      }),
  );
  if (ctx.requests > 0) {
    await new RefCache(opts.store.paths.registryRefs).record({
      repository: referenceName(ref),
      blobs: blobs.map((b) => b.digest),
    });
  }
  return {
    ref: { ...ref, digest: manifestDigest },
    digest: manifestDigest,
    indexDigest,
    manifest,
    config,
    layers,
    requests: ctx.requests,
  };
}
