/** The cache store's public surface; see each module's header for its guarantees. */
export { resolveCacheDir } from "./cache-dir";
export { CacheStore } from "./cache-store";
export { BlobStore } from "./blob-store";
export { BlobWriter, type BlobDescriptor, type ExpectedBlob } from "./blob-writer";
export { StepRecords } from "./step-records";
export { StepHistory, type StepHistoryEntry, type StepPosition } from "./step-history";
export { CompressedBlobs, type CompressedVariant, type VariantKey } from "./compressed-blobs";
export type { BaseInput, JsonValue, KeyInputs, LayerRef, NewStepRecord, StepRecord } from "./step-record";
export { ImageIndex, type ImageEntry } from "./image-index";
export { StoreLock, type LockOptions } from "./store-lock";
export type { BuildSession } from "./build-sessions";
export { diskUsage, type DiskUsage } from "./disk-usage";
export { prune, type PruneOptions, type PruneResult } from "./prune";
export { reachableBlobs, manifestReferences } from "./manifest-refs";
export {
  exportCache,
  importCache,
  CACHE_EXPORT_FILE,
  type ExportResult,
  type ImportResult,
} from "./cache-export";
export { parseSize, parseDuration, formatSize } from "./units";
export { digestHex, isDigest, sha256Digest } from "./digest";
export { BlobStoreError, CacheError, type BlobStoreErrorCode, type CacheErrorCode } from "./errors";
