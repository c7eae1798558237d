import type { Readable } from "node:stream";
import type { BlobStore } from "../blob-store";
import type { Descriptor } from "./artifacts";

/** A blob to write: its identity and a way to (re)open its bytes. */
export interface BlobSource {
  digest: string;
  size: number;
  open: () => Promise<Readable>;
}

/** Counts of what one backend did, for results, events and tests (uploads are what cost). */
export interface TransferStats {
  /** Blobs written (uploaded, or copied into the layout), by digest. */
  uploaded: string[];
  /** Blobs the destination already had. */
  skipped: number;
  bytesUploaded: number;
  /** Blobs read from the cache (into the store or a restored mount). */
  downloaded: number;
  bytesDownloaded: number;
  /** Manifest reads (lookups). */
  lookups: number;
}

export function emptyStats(): TransferStats {
  return { uploaded: [], skipped: 0, bytesUploaded: 0, downloaded: 0, bytesDownloaded: 0, lookups: 0 };
}

/**
 * Where a remote cache lives: a registry repository or an OCI layout directory. Tags name
 * manifests; blobs are content-addressed. Contract, for both:
 * - `putBlob` is idempotent and verified (a blob is stored under its digest only if it hashes to it);
 * - `putManifest` stores the manifest blob then points the tag at it (a tag points at a complete
 *   manifest or at nothing);
 * - `getManifest` returns bytes that hash to what the tag points at, undefined when there is no tag;
 * - `updateIndex` merges descriptors into the shared index (never drops another writer's entry
 *   on purpose; see each backend for its concurrency guarantee).
 */
export interface CacheBackend {
  /** For messages: "registry 127.0.0.1:5000/cache:main", "cache dir /ci/cache". */
  readonly name: string;
  /** The scope cache mount tags are named in (the cache ref's tag; "" for a directory). */
  readonly scope: string;
  readonly stats: TransferStats;
  getManifest(tag: string): Promise<{ digest: string; bytes: Buffer } | undefined>;
  putManifest(tag: string, bytes: Buffer, mediaType: string): Promise<Descriptor>;
  hasBlob(digest: string): Promise<boolean>;
  /** Writes the blob unless present; true when it was written. */
  putBlob(blob: BlobSource): Promise<boolean>;
  /**
   * Copies a blob into `store`, verified (the store checks digest and size). `signal` stops the
   * copy; it then rejects with nothing of the blob left in the store.
   */
  fetchBlob(desc: { digest: string; size: number }, store: BlobStore, signal?: AbortSignal): Promise<void>;
  /** A stream of a blob that errors at its end unless the bytes hash to `digest` and count `size`. */
  openBlob(desc: { digest: string; size: number }): Promise<Readable>;
  updateIndex(added: readonly Descriptor[]): Promise<void>;
}
