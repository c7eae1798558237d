import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { Readable } from "node:stream";
import type { CacheStore, StepRecord } from "../cache";
import { importCache, CACHE_EXPORT_FILE } from "../cache/cache-export";
import {
  LayoutBackend,
  RegistryBackend,
  exportMount,
  exportSteps,
  lookupStep,
  restoreMount,
  type CacheBackend,
  type ExportItem,
  type MountExport,
  type MountOwner,
  type MountRestore,
  type TransferStats,
} from "../cache/remote";
import { BlobLayer } from "../image/blob-layer";
import type { Layer } from "../image/layer";
import type { BuildEventListener } from "./progress";
import type { VerifiedBlobs } from "./verified-blobs";
import { errorMessage } from "../errors";
import { settleAll } from "../settle";

/** `--cache-from`: where step records and cache mounts are looked up, in order. */
export type CacheImportSpec = { type: "local"; src: string } | { type: "registry"; ref: string };

/** What a `--cache-to` exports besides its destination (buildx's names). */
export interface CacheExportOptions {
  /** `mode=min` (default): the steps of the final stage (and the stages it is built on); `max`: every step. */
  mode?: "min" | "max";
  /** `cache-mounts=a,b`: the RUN --mount=type=cache ids whose contents travel with the cache. */
  cacheMounts?: string[];
  /** `cache-mounts-max-size=`: a mount with more file bytes than this is not exported (bytes). */
  cacheMountsMaxSize?: number;
}

export type CacheExportSpec = ({ type: "local"; dest: string } | { type: "registry"; ref: string }) &
  CacheExportOptions;

/** What the remote caches did during a build (BuildResult.remoteCache). */
export interface RemoteCacheReport {
  /** Steps that were hits from a --cache-from cache (not from this machine's cache). */
  remoteHits: number;
  /** Per --cache-from, then per --cache-to: requests and blobs moved. */
  imports: Array<{ name: string } & TransferStats>;
  exports: Array<{ name: string; steps: number; mounts: MountExport[] } & TransferStats>;
  mountsRestored: MountRestore[];
}

interface Hit {
  record: StepRecord;
  layer: BlobLayer | null;
}

/**
 * A step's layer that is in a --cache-from cache and not (yet) in the store: its blob is fetched
 * on first read — a RUN stacking it, a COPY --from reading it, an export — so a build pulls only
 * the layers it uses (a builder stage's layers stay remote when the final stage hits). Once
 * fetched (verified by the store) the record is written locally, so the next build hits locally.
 */
class RemoteBlobLayer extends BlobLayer {
  private fetched: Promise<void> | undefined;
  constructor(
    info: ConstructorParameters<typeof BlobLayer>[0],
    private readonly load: (signal?: AbortSignal) => Promise<void>,
  ) {
    super(info);
  }
  /** One download at a time; `signal` stops it when this call starts it. */
  fetch(signal?: AbortSignal): Promise<void> {
    this.fetched ??= this.load(signal);
    this.fetched.catch(() => (this.fetched = undefined));
    return this.fetched;
  }
  override async compressed(): Promise<Readable> {
    await this.fetch();
    return super.compressed();
  }
  override async uncompressed(): Promise<Readable> {
    await this.fetch();
    return super.uncompressed();
  }
}

/** The --cache-from caches of one build: step lookups on a local miss, lazy layers, mount restores. */
export class RemoteCaches {
  private readonly hits = new Map<string, Hit & { backend: CacheBackend }>();
  private readonly restores = new Map<string, Promise<void>>();
  readonly restored: MountRestore[] = [];

  private constructor(
    private readonly store: CacheStore,
    private readonly verified: VerifiedBlobs,
    readonly backends: readonly CacheBackend[],
    private readonly emit: BuildEventListener,
  ) {}

  /**
   * Backends for the specs. A local dir in the older whole-cache format (tsbuild-cache.json, no
   * index.json) is imported eagerly as before; a registry ref or layout dir is looked up lazily.
   */
  static async open(
    store: CacheStore,
    verified: VerifiedBlobs,
    specs: readonly CacheImportSpec[],
    opts: {
      insecure?: readonly string[] | undefined;
      signal?: AbortSignal | undefined;
      emit: BuildEventListener;
    },
  ): Promise<RemoteCaches> {
    const backends: CacheBackend[] = [];
    for (const spec of specs) {
      if (spec.type === "registry") {
        backends.push(new RegistryBackend(spec.ref, false, { insecure: opts.insecure, signal: opts.signal }));
      } else if (await isLegacyExport(spec.src)) {
        await importCache(spec.src, store);
      } else {
        const st = await fsp.stat(spec.src).catch(() => undefined);
        if (st === undefined) {
          // BuildKit's rule: a local cache that is not there yet is a cold build, with a warning.
          opts.emit({
            type: "warning",
            rule: "CacheImportNotFound",
            message: `--cache-from type=local,src=${spec.src}: no such directory; building without it`,
          });
          continue;
        }
        const backend = new LayoutBackend(spec.src);
        await backend.check(); // not a directory, or an index.json that is not an index: fail now
        backends.push(backend);
      }
    }
    return new RemoteCaches(store, verified, backends, opts.emit);
  }

  get remoteHits(): number {
    return this.hits.size;
  }

  /** The step's record from the first cache that has it; its layer is fetched when first read. */
  async lookup(key: string): Promise<Hit | undefined> {
    if (this.backends.length === 0) return undefined;
    const known = this.hits.get(key);
    if (known) return known;
    const found = await lookupStep(this.backends, key);
    if (!found) return undefined;
    const { record, backend } = found;
    if (!record.layer) {
      await this.store.records.put(record);
      const hit = { record, layer: null, backend };
      this.hits.set(key, hit);
      return hit;
    }
    const ref = record.layer;
    const layer = new RemoteBlobLayer({ path: this.store.blobs.path(ref.digest), ...ref }, async (signal) => {
      if (!(await this.store.blobs.has(ref.digest))) await backend.fetchBlob(ref, this.store.blobs, signal);
      await this.verified.stamp(ref.digest); // the store verified it while writing
      await this.store.records.put(record);
    });
    const hit = { record, layer, backend };
    this.hits.set(key, hit);
    return hit;
  }

  /**
   * Fetches every lazily-remote layer among `layers` (before images are stored or exported). The
   * first failure stops the other downloads, and the call settles only once every download has
   * (as the pull does): nothing is still writing into the store when the build fails.
   */
  async fetchLayers(layers: readonly Layer[]): Promise<void> {
    const remote = layers.filter((l): l is RemoteBlobLayer => l instanceof RemoteBlobLayer);
    await settleAll(remote.map((l) => (signal) => l.fetch(signal)));
  }

  /**
   * Restores cache mount `id` before the first step that mounts it runs, when this machine has
   * none: once per build. A cache that cannot be read is a warning, and the step runs cold.
   */
  restoreMount(id: string, owner: MountOwner): Promise<void> {
    if (this.backends.length === 0) return Promise.resolve();
    let p = this.restores.get(id);
    if (!p) {
      p = restoreMount(this.backends, this.store.mounts, id, owner).then(
        (r) => void (r && this.restored.push(r)),
        (err: unknown) =>
          this.emit({
            type: "warning",
            rule: "CacheMountRestoreFailed",
            message: `restore cache mount ${JSON.stringify(id)}: ${errorMessage(err)}; the step runs with an empty mount`,
          }),
      );
      this.restores.set(id, p);
    }
    return p;
  }

  /** The record of `key` and a way to read its layer: from the store, else from the cache it hit in. */
  async exportItem(key: string): Promise<ExportItem | undefined> {
    const local = await this.store.records.get(key, { touch: false });
    const hit = this.hits.get(key);
    const record = local ?? hit?.record;
    if (!record) return undefined;
    const digest = record.layer?.digest;
    if (digest === undefined) return { record };
    return {
      record,
      openLayer: async () => {
        if (hit?.layer instanceof RemoteBlobLayer && !(await this.store.blobs.has(digest)))
          await hit.layer.fetch();
        return this.store.blobs.open(digest);
      },
    };
  }

  report(): Pick<RemoteCacheReport, "remoteHits" | "imports" | "mountsRestored"> {
    return {
      remoteHits: this.remoteHits,
      imports: this.backends.map((b) => ({ name: b.name, ...b.stats, uploaded: [...b.stats.uploaded] })),
      mountsRestored: [...this.restored],
    };
  }
}

/** Exports this build's steps (per `mode`) and opted-in cache mounts to one --cache-to. */
export async function exportRemoteCache(
  caches: RemoteCaches,
  store: CacheStore,
  spec: CacheExportSpec,
  keys: { all: readonly string[]; final: readonly string[] },
  opts: { insecure?: readonly string[] | undefined; signal?: AbortSignal | undefined },
): Promise<RemoteCacheReport["exports"][number]> {
  const backend =
    spec.type === "registry"
      ? new RegistryBackend(spec.ref, true, { insecure: opts.insecure, signal: opts.signal })
      : new LayoutBackend(spec.dest);
  const items: ExportItem[] = [];
  for (const key of new Set(spec.mode === "max" ? keys.all : keys.final)) {
    const item = await caches.exportItem(key);
    if (item) items.push(item);
  }
  const steps = await exportSteps(backend, items);
  const mounts: MountExport[] = [];
  for (const id of spec.cacheMounts ?? [])
    mounts.push(
      await exportMount(backend, store.mounts, id, {
        ...(spec.cacheMountsMaxSize !== undefined ? { maxSize: spec.cacheMountsMaxSize } : {}),
      }),
    );
  return { name: backend.name, steps: steps.length, mounts, ...backend.stats };
}

async function isLegacyExport(dir: string): Promise<boolean> {
  const has = (name: string): Promise<boolean> =>
    fsp.access(path.join(dir, name)).then(
      () => true,
      () => false,
    );
  return (await has(CACHE_EXPORT_FILE)) && !(await has("index.json"));
}
