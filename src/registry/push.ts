import { Readable, Transform, pipeline } from "node:stream";
import pLimit from "p-limit";
import type { CacheStore } from "../cache/cache-store";
import { sha256Digest } from "../image/digest";
import { configBlob, manifestBlob, type Image } from "../image/image";
import { MediaType } from "../image/media-types";
import { repositoryScope } from "./auth/authenticator";
import type { CredentialSource } from "./auth/credentials";
import { dockerConfigCredentials } from "./auth/docker-config";
import {
  blobExists,
  mountBlob,
  startUpload,
  uploadChunked,
  uploadMonolithic,
  type UploadContext,
  type UploadSource,
} from "./blob-upload";
import { RegistryClient, type RegistryClientOptions } from "./http-client";
import { putManifest } from "./manifest-put";
import { RefCache } from "./ref-cache";
import {
  formatReference,
  manifestIdentifier,
  parseReference,
  referenceName,
  type Reference,
} from "./reference";

export interface PushProgress {
  digest: string;
  status: "exists" | "mounted" | "uploading" | "uploaded";
  current: number;
  total: number;
}

export interface PushOptions {
  insecure?: readonly string[] | undefined;
  credentials?: CredentialSource;
  signal?: AbortSignal | undefined;
  /** Cache whose registry-refs.json says which repositories hold which blobs (mount sources). */
  store?: CacheStore;
  /** Repositories of the same registry to try mounting blobs from (e.g. the base image's). */
  mountFrom?: readonly string[];
  /** Blobs up to this size go in one PUT; bigger ones in PATCH chunks of `chunkSize`. */
  monolithicLimit?: number;
  chunkSize?: number;
  concurrency?: number;
  onProgress?: ((p: PushProgress) => void) | undefined;
  client?: Pick<RegistryClientOptions, "retry" | "timeoutMs" | "limits">;
}

export const DEFAULT_MONOLITHIC_LIMIT = 32 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

/** Ways a blob reached the registry during a push, for callers and tests. */
export interface PushResult {
  digest: string;
  ref: Reference;
  blobs: Record<string, PushProgress["status"]>;
}

async function pushBlob(
  ctx: UploadContext,
  blob: UploadSource,
  sources: readonly string[],
  opts: PushOptions,
): Promise<PushProgress["status"]> {
  const report = (status: PushProgress["status"], current: number): void =>
    opts.onProgress?.({ digest: blob.digest, status, current, total: blob.size });
  if (await blobExists(ctx, blob.digest)) {
    report("exists", blob.size);
    return "exists";
  }
  let loc: string | undefined;
  for (const from of sources) {
    const mount = await mountBlob(ctx, blob.digest, from);
    if (mount.mounted) {
      report("mounted", blob.size);
      return "mounted";
    }
    loc = mount.location;
    break; // the registry opened an upload session instead: use it
  }
  loc ??= await startUpload(ctx, blob.digest);
  report("uploading", 0);
  if (blob.size <= (opts.monolithicLimit ?? DEFAULT_MONOLITHIC_LIMIT)) {
    // The body is counted on its way out, so a display sees the bytes of one-PUT blobs move too.
    // pipeline forwards a read error into the counter, so the PUT fails instead of hanging.
    const open = async (): Promise<Readable> =>
      pipeline(
        await blob.open(),
        byteCounter((n) => report("uploading", n)),
        () => undefined,
      );
    await uploadMonolithic(ctx, loc, opts.onProgress !== undefined ? { ...blob, open } : blob);
  } else {
    await uploadChunked(ctx, loc, blob, opts.chunkSize ?? DEFAULT_CHUNK_SIZE, (n) => report("uploading", n));
  }
  report("uploaded", blob.size);
  return "uploaded";
}

/** Passes bytes through, reporting the count every MiB (and at the end). */
function byteCounter(onBytes: (n: number) => void): Transform {
  let sent = 0;
  let reported = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      if (sent - reported >= 1024 * 1024) {
        reported = sent;
        onBytes(sent);
      }
      cb(null, chunk);
    },
    flush(cb) {
      if (sent !== reported) onBytes(sent);
      cb();
    },
  });
}

/**
 * Pushes `image` as an OCI manifest to `reference`: blobs the repository has are skipped (HEAD),
 * blobs known to live in another repository of the same registry are mounted, the rest uploaded
 * (one PUT when small, PATCH chunks when big); then the manifest is PUT under the tag (or digest).
 * Returns the manifest digest the registry stored.
 */
export async function pushImageDetailed(
  image: Image,
  reference: string | Reference,
  opts: PushOptions = {},
): Promise<PushResult> {
  const ref = typeof reference === "string" ? parseReference(reference) : reference;
  const what = `push ${formatReference(ref)}`;
  const refCache = opts.store ? new RefCache(opts.store.paths.registryRefs) : undefined;

  const config = configBlob(image);
  const blobs: UploadSource[] = [
    { digest: sha256Digest(config), size: config.length, open: async () => Readable.from([config]) },
  ];
  for (const layer of image.layers) {
    blobs.push({ digest: await layer.digest(), size: await layer.size(), open: () => layer.compressed() });
  }
  const sourcesOf = async (digest: string): Promise<string[]> => {
    const known = refCache ? await refCache.sources(digest) : [];
    const prefix = `${ref.registry}/`;
    const repos = [
      ...(opts.mountFrom ?? []),
      ...known.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length)),
    ];
    return [...new Set(repos)].filter((r) => r !== ref.repository);
  };
  const allSources = new Set<string>();
  const sourcesByDigest = new Map<string, string[]>();
  for (const b of blobs) {
    const s = await sourcesOf(b.digest);
    sourcesByDigest.set(b.digest, s);
    s.forEach((r) => allSources.add(r));
  }
  // One token for the whole push: push on the target, pull on every mount source.
  const scopes = [
    repositoryScope(ref.repository, "pull,push"),
    ...[...allSources].sort().map((r) => repositoryScope(r, "pull")),
  ];
  const client = new RegistryClient(ref.registry, {
    insecure: opts.insecure,
    credentials: opts.credentials ?? dockerConfigCredentials(),
    ...(opts.client ?? {}),
  });
  const ctx: UploadContext = { client, repository: ref.repository, scopes, what, signal: opts.signal };

  const limit = pLimit(opts.concurrency ?? 4);
  const unique = [...new Map(blobs.map((b) => [b.digest, b])).values()];
  const statuses: Record<string, PushProgress["status"]> = {};
  await Promise.all(
    unique.map((b) =>
      limit(
        async () =>
          void (statuses[b.digest] = await pushBlob(ctx, b, sourcesByDigest.get(b.digest) ?? [], opts)),
      ),
    ),
  );

  const manifest = await manifestBlob(image);
  const digest = sha256Digest(manifest);
  await putManifest(client, {
    repository: ref.repository,
    reference: manifestIdentifier(ref),
    mediaType: MediaType.ociManifest,
    body: manifest,
    digest,
    scopes,
    what: `${what}: put manifest ${digest}`,
    signal: opts.signal,
    mismatch: (stored) =>
      `${what}: registry ${ref.registry} stored the manifest as ${stored}, expected ${digest}`,
  });
  await refCache?.record({ repository: referenceName(ref), blobs: unique.map((b) => b.digest) });
  return { digest, ref: { ...ref, digest }, blobs: statuses };
}

/** pushImageDetailed, returning only the manifest digest. */
export async function pushImage(
  image: Image,
  reference: string | Reference,
  opts: PushOptions = {},
): Promise<string> {
  return (await pushImageDetailed(image, reference, opts)).digest;
}
