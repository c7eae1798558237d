import * as path from "node:path";
import { inUserNamespace } from "../rootfs/overlay";

/**
 * Every entry of the cache directory, by owner. Nothing in tsbuild builds a path under the cache
 * dir by hand: each writer is handed its entry from `CacheStore.paths`, so `du` and `prune` (which
 * walk exactly these) see every byte. The layout is documented on CacheStore.
 */
export interface CachePaths {
  readonly root: string;
  /** `blobs/sha256/<hex>`: content-addressed blobs (BlobStore). */
  readonly blobs: string;
  /** `records/<hex>.json`: step records (StepRecords). */
  readonly records: string;
  /** `index.json`: tag → image (ImageIndex). */
  readonly index: string;
  /** `sessions/*.json`: running builds (build-sessions.ts). */
  readonly sessions: string;
  /** `lock`: the store lock (StoreLock). */
  readonly lock: string;
  /** `registry-refs.json`: pulled tags' digests and blob sources (src/registry RefCache). */
  readonly registryRefs: string;
  /** `tmp/build-<pid>-<start>-<hex>/`: one scratch directory per running build (build-temp.ts). */
  readonly tmp: string;
  /** `verified/<hex>`: stamps of blobs re-hashed and found intact (src/engine VerifiedBlobs). */
  readonly verified: string;
  /** `layers/<diffID hex>/` (+ `.json`): base layers unpacked for RUN and COPY (src/rootfs UnpackedLayers). */
  readonly layers: string;
  /** `mounts/<hex>/`: persistent `RUN --mount=type=cache` directories (src/engine run-mounts). */
  readonly mounts: string;
  /** `context/context-stat/<hex>.json`, `<hex>.selections.json`: build contexts' stat → hash caches and selection memos (src/context). */
  readonly context: string;
  /** `compressed/<source hex>-<compression>-<level>.json`: compressed layers made on export (CompressedBlobs). */
  readonly compressed: string;
  /** `history/<hex>.json`: step position → the record key its last build used (StepHistory). */
  readonly history: string;
}

/** The entries of the cache directory `root` (absolute). */
export function cachePaths(root: string): CachePaths {
  const at = (...parts: string[]): string => path.join(root, ...parts);
  return Object.freeze({
    root,
    blobs: at("blobs", "sha256"),
    records: at("records"),
    index: at("index.json"),
    sessions: at("sessions"),
    lock: at("lock"),
    registryRefs: at("registry-refs.json"),
    tmp: at("tmp"),
    verified: at("verified"),
    // Layer dirs carry overlay attributes under the prefix this process's mounts use (trusted.*
    // as root, user.* in a user namespace): one directory per format.
    layers: at(inUserNamespace() ? "layers-userxattr" : "layers"),
    mounts: at("mounts"),
    context: at("context"),
    compressed: at("compressed"),
    history: at("history"),
  });
}
