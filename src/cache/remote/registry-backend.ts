import { pipeline, type Readable } from "node:stream";
import type { BlobStore } from "../blob-store";
import { repositoryScope } from "../../registry/auth/authenticator";
import { dockerConfigCredentials } from "../../registry/auth/docker-config";
import { fetchBlobToStore } from "../../registry/blob-fetch";
import {
  blobExists,
  startUpload,
  uploadChunked,
  uploadMonolithic,
  type UploadContext,
} from "../../registry/blob-upload";
import { RegistryError } from "../../registry/errors";
import { RegistryClient } from "../../registry/http-client";
import { fetchManifest } from "../../registry/manifest-fetch";
import { putManifest } from "../../registry/manifest-put";
import { DEFAULT_CHUNK_SIZE, DEFAULT_MONOLITHIC_LIMIT } from "../../registry/push";
import { formatReference, parseReference, type Reference } from "../../registry/reference";
import { sha256Digest } from "../digest";
import {
  REF_NAME_ANNOTATION,
  emptyIndex,
  indexHas,
  mergeIndex,
  parseIndex,
  type Descriptor,
} from "./artifacts";
import { emptyStats, type BlobSource, type CacheBackend } from "./backend";
import { VerifyingStream } from "./verified-stream";
import { MediaType } from "../../image/media-types";

export interface RegistryBackendOptions {
  insecure?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
  /** Writers re-read the index after writing it and merge again this many times at most. */
  indexAttempts?: number;
}

/** The tag the cache ref names when it names none (buildx's cache refs always have one). */
const DEFAULT_CACHE_TAG = "cache";

/**
 * A remote cache in one registry repository: `ref`'s repository holds the step and mount
 * manifests under their own tags, `ref`'s tag the shared index.
 *
 * Concurrency: step and mount tags are content-addressed by key (two writers of one key write
 * equivalent records; the last tag wins, both complete). The index has no compare-and-swap in
 * the Distribution API, so it is merged on write: read, merge, PUT, read back; if another
 * writer's PUT dropped our entries, merge and PUT again (a few attempts). It is a listing only:
 * lookups go by tag, so an entry an unlucky race drops costs nothing but that listing line.
 */
export class RegistryBackend implements CacheBackend {
  readonly name: string;
  readonly scope: string;
  readonly stats = emptyStats();
  private readonly ref: Reference;
  private readonly client: RegistryClient;
  private readonly ctx: UploadContext;

  constructor(
    ref: string,
    readonly push: boolean,
    private readonly opts: RegistryBackendOptions = {},
  ) {
    const parsed = parseReference(ref, { defaultTag: false });
    this.ref = { ...parsed, tag: parsed.tag ?? DEFAULT_CACHE_TAG, digest: undefined };
    this.scope = this.ref.tag ?? DEFAULT_CACHE_TAG;
    this.name = `registry cache ${formatReference(this.ref)}`;
    this.client = new RegistryClient(this.ref.registry, {
      insecure: opts.insecure,
      credentials: dockerConfigCredentials(),
    });
    this.ctx = {
      client: this.client,
      repository: this.ref.repository,
      scopes: [repositoryScope(this.ref.repository, push ? "pull,push" : "pull")],
      what: push
        ? `export cache to ${formatReference(this.ref)}`
        : `import cache from ${formatReference(this.ref)}`,
      signal: opts.signal,
    };
  }

  async getManifest(tag: string): Promise<{ digest: string; bytes: Buffer } | undefined> {
    this.stats.lookups++;
    try {
      const m = await fetchManifest(
        this.client,
        this.ref.repository,
        tag,
        this.ctx.scopes,
        `${this.ctx.what}: look up ${tag}`,
        this.opts.signal,
      );
      return { digest: m.digest, bytes: m.bytes };
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined;
      throw err;
    }
  }

  async putManifest(tag: string, bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const digest = sha256Digest(bytes);
    await putManifest(this.client, {
      repository: this.ref.repository,
      reference: tag,
      mediaType,
      body: bytes,
      digest,
      scopes: this.ctx.scopes,
      what: `${this.ctx.what}: put manifest ${tag}`,
      signal: this.opts.signal,
      mismatch: (stored) =>
        `${this.ctx.what}: registry stored manifest ${tag} as ${stored}, expected ${digest}`,
    });
    return { mediaType, digest, size: bytes.length, annotations: { [REF_NAME_ANNOTATION]: tag } };
  }

  hasBlob(digest: string): Promise<boolean> {
    return blobExists(this.ctx, digest);
  }

  async putBlob(blob: BlobSource): Promise<boolean> {
    if (await blobExists(this.ctx, blob.digest)) {
      this.stats.skipped++;
      return false;
    }
    const loc = await startUpload(this.ctx, blob.digest);
    const source = { digest: blob.digest, size: blob.size, open: blob.open };
    if (blob.size <= DEFAULT_MONOLITHIC_LIMIT) await uploadMonolithic(this.ctx, loc, source);
    else await uploadChunked(this.ctx, loc, source, DEFAULT_CHUNK_SIZE);
    this.stats.uploaded.push(blob.digest);
    this.stats.bytesUploaded += blob.size;
    return true;
  }

  async fetchBlob(
    desc: { digest: string; size: number },
    store: BlobStore,
    signal?: AbortSignal,
  ): Promise<void> {
    const signals = [this.opts.signal, signal].filter((s): s is AbortSignal => s !== undefined);
    await fetchBlobToStore(
      this.client,
      this.ref.repository,
      { mediaType: "application/octet-stream", ...desc },
      store,
      {
        scopes: this.ctx.scopes,
        what: this.ctx.what,
        signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
      },
    );
    this.stats.downloaded++;
    this.stats.bytesDownloaded += desc.size;
  }

  async openBlob(desc: { digest: string; size: number }): Promise<Readable> {
    const res = await this.client.send({
      method: "GET",
      path: `/v2/${this.ref.repository}/blobs/${desc.digest}`,
      scopes: this.ctx.scopes,
      what: `${this.ctx.what}: blob ${desc.digest}`,
      signal: this.opts.signal,
    });
    this.stats.downloaded++;
    this.stats.bytesDownloaded += desc.size;
    return pipeline(
      res.body,
      new VerifyingStream(desc.digest, desc.size, `${this.ctx.what}: blob ${desc.digest}`),
      () => undefined,
    );
  }

  async updateIndex(added: readonly Descriptor[]): Promise<void> {
    if (added.length === 0) return;
    const tag = this.scope;
    const attempts = this.opts.indexAttempts ?? 5;
    for (let i = 0; i < attempts; i++) {
      const current = await this.getManifest(tag);
      const base = (current && parseIndex(current.bytes)) ?? emptyIndex();
      if (current && indexHas(base, added)) return;
      const merged = mergeIndex(base, added);
      await this.putManifest(tag, Buffer.from(JSON.stringify(merged)), MediaType.ociIndex);
      const after = await this.getManifest(tag);
      if (after && indexHas(parseIndex(after.bytes) ?? emptyIndex(), added)) return;
    }
    // Another writer kept winning: the listing misses our entries; lookups by tag still find them.
  }
}
