import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { BlobStore } from "./blob-store";
import { type BuildSession, beginBuildSession } from "./build-sessions";
import { ioError } from "./blob-writer";
import { CacheMounts } from "./cache-mounts";
import { CompressedBlobs } from "./compressed-blobs";
import { cachePaths, type CachePaths } from "./cache-paths";
import { ImageIndex } from "./image-index";
import { LayerDirs } from "./layer-dirs";
import { StepHistory } from "./step-history";
import { StepRecords } from "./step-records";
import { type LockOptions, StoreLock } from "./store-lock";
import { STALE_TEMP_AGE_MS, sweepDeadTemps, tempPath, type SweepResult } from "./temp-files";

/**
 * The cache directory as a whole. Every entry has one owner, reached through `paths` (or the
 * part objects below); nothing else writes under the directory, so `du` and `prune` see it all.
 *
 *   blobs/sha256/<hex>            content-addressed blobs (layers, configs, manifests) → BlobStore
 *   records/<hex>.json            step records, hex = sha256 of the planner's cache key → StepRecords
 *   index.json                    tag → image                                          → ImageIndex
 *   sessions/*.json               running builds (protect their work from prune)       → build-sessions
 *   lock, lock.break              the store lock (record hits/puts, index, prune)      → StoreLock
 *   registry-refs.json            pulled tags' digests, blobs' source repositories     → registry RefCache
 *   tmp/build.tmp-<owner>/        one scratch directory per running build              → createBuildTemp
 *   verified/<hex>                stamps of blobs re-hashed and found intact           → engine VerifiedBlobs
 *   layers/<hex>/, <hex>.json     base layers unpacked for RUN and COPY (derived)      → LayerDirs
 *   mounts/<hex>/                 persistent RUN --mount=type=cache directories        → CacheMounts
 *   context/context-stat/*.json   stat → content hash caches, selection memos          → context StatCache
 *   compressed/<hex>-<c>-<l>.json compressed layers made on export (blobs in blobs/)   → CompressedBlobs
 *   history/<hex>.json            step position → the record key of its last build     → StepHistory
 *
 * Anything written under a temporary name carries its writer's pid and start time
 * (`<name>.tmp-<pid>-<start>-<hex>`, temp-files.ts): `open()` and `prune` remove those of dead
 * writers at once. Several processes may use one directory at once; see each part's header for
 * its guarantees.
 */
export class CacheStore {
  readonly layers: LayerDirs;
  readonly mounts: CacheMounts;
  readonly compressed: CompressedBlobs;
  /** What each step position built last, for explaining cache misses. */
  readonly history: StepHistory;

  private constructor(
    readonly paths: CachePaths,
    readonly blobs: BlobStore,
    readonly records: StepRecords,
    readonly images: ImageIndex,
    readonly lock: StoreLock,
  ) {
    this.layers = new LayerDirs(paths.layers);
    this.mounts = new CacheMounts(paths.mounts);
    this.compressed = new CompressedBlobs(paths.compressed, blobs, lock);
    this.history = new StepHistory(paths.history);
  }

  /** The cache directory (absolute). */
  get dir(): string {
    return this.paths.root;
  }

  /** Opens (creating) the cache at `dir`; dead writers' temp files and build dirs are removed. */
  static async open(
    dir: string,
    options: { staleTempAgeMs?: number; lock?: LockOptions } = {},
  ): Promise<CacheStore> {
    const paths = cachePaths(path.resolve(dir));
    const blobs = await BlobStore.open(paths.root, options);
    const lock = new StoreLock(paths.lock, options.lock);
    const store = new CacheStore(
      paths,
      blobs,
      new StepRecords(paths.records, blobs, lock),
      new ImageIndex(paths.index, blobs, lock),
      lock,
    );
    try {
      await fsp.mkdir(paths.records, { recursive: true });
      await store.sweep({ maxAgeMs: options.staleTempAgeMs ?? STALE_TEMP_AGE_MS });
    } catch (err) {
      throw ioError(`open cache ${paths.root}`, err);
    }
    return store;
  }

  /** Directory of running-build markers. */
  get sessionsDir(): string {
    return this.paths.sessions;
  }

  /**
   * Call when a build starts and `end()` it when the build finishes: until then prune keeps every
   * blob and record the build writes or hits.
   */
  beginBuild(): Promise<BuildSession> {
    return beginBuildSession(this.paths.sessions);
  }

  /**
   * A fresh scratch directory for one build under `tmp/`, named after this process so that the
   * next `open()` after a crash removes it. The build removes it when it ends.
   */
  async createBuildTemp(): Promise<string> {
    const dir = tempPath(this.paths.tmp, "build");
    await fsp.mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Removes what dead writers left under temporary names anywhere in the cache dir (build
   * scratch dirs included), and ownerless temps (older tsbuild) once older than `maxAgeMs`.
   */
  async sweep(options: { maxAgeMs?: number; now?: number } = {}): Promise<SweepResult> {
    const total: SweepResult = { count: 0, bytes: 0 };
    const p = this.paths;
    const dirs = [
      p.root,
      p.blobs,
      p.records,
      p.sessions,
      p.tmp,
      p.verified,
      p.layers,
      p.mounts,
      p.context,
      path.join(p.context, "context-stat"),
      p.compressed,
      p.history,
    ];
    for (const dir of dirs) {
      const r = await sweepDeadTemps(dir, { ...options, everything: dir === p.tmp });
      total.count += r.count;
      total.bytes += r.bytes;
    }
    return total;
  }
}
