import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { BlobStore } from "./blob-store";
import { type BuildSession, beginBuildSession } from "./build-sessions";
import { ioError } from "./blob-writer";
import { ImageIndex } from "./image-index";
import { StepRecords } from "./step-records";
import { type LockOptions, StoreLock } from "./store-lock";
import { STALE_TEMP_AGE_MS, cleanStaleTemps } from "./temp-files";

/**
 * The cache directory as a whole:
 *
 *   <dir>/blobs/sha256/<hex>   content-addressed blobs (layers, configs, manifests)  → BlobStore
 *   <dir>/records/<hex>.json   step records, hex = sha256 of the planner's cache key  → StepRecords
 *   <dir>/index.json           tag → image                                            → ImageIndex
 *   <dir>/sessions/*.json      running builds (protect their work from prune)
 *   <dir>/lock                 the store lock (record hits/puts, index updates, prune)
 *
 * Several processes may use one directory at once; see each part's header for its guarantees.
 */
export class CacheStore {
  private constructor(
    readonly dir: string,
    readonly blobs: BlobStore,
    readonly records: StepRecords,
    readonly images: ImageIndex,
    readonly lock: StoreLock,
  ) {}

  /** Opens (creating) the cache at `dir`; stale temp files of crashed writers are removed. */
  static async open(
    dir: string,
    options: { staleTempAgeMs?: number; lock?: LockOptions } = {},
  ): Promise<CacheStore> {
    const root = path.resolve(dir);
    const blobs = await BlobStore.open(root, options);
    const lock = new StoreLock(path.join(root, "lock"), options.lock);
    try {
      await fsp.mkdir(path.join(root, "records"), { recursive: true });
      await cleanStaleTemps(path.join(root, "records"), options.staleTempAgeMs ?? STALE_TEMP_AGE_MS);
      await cleanStaleTemps(root, options.staleTempAgeMs ?? STALE_TEMP_AGE_MS);
    } catch (err) {
      throw ioError(`open cache ${root}`, err);
    }
    return new CacheStore(
      root,
      blobs,
      new StepRecords(root, blobs, lock),
      new ImageIndex(root, blobs, lock),
      lock,
    );
  }

  /** Directory of running-build markers. */
  get sessionsDir(): string {
    return path.join(this.dir, "sessions");
  }

  /**
   * Call when a build starts and `end()` it when the build finishes: until then prune keeps every
   * blob and record the build writes or hits.
   */
  beginBuild(): Promise<BuildSession> {
    return beginBuildSession(this.sessionsDir);
  }
}
