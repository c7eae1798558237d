import * as fsp from "node:fs/promises";
import { writeFileAtomic } from "./atomic-file";
import type { BlobStore } from "./blob-store";
import { isDigest } from "./digest";
import { CacheError, isErrno } from "./errors";
import type { StoreLock } from "./store-lock";
import { errorMessage } from "../errors";
import { isRecord } from "../guards";

/** One tagged image: its manifest and config blobs are in the blob store. */
export interface ImageEntry {
  manifestDigest: string;
  configDigest: string;
  /** ISO 8601. */
  created: string;
  /** Manifest media type, when it is not the OCI default. */
  mediaType?: string;
}

interface IndexFile {
  version: 1;
  images: Record<string, ImageEntry>;
}

/**
 * The tag → image index for `tsbuild images`, `rmi` and `inspect`: `<cache>/index.json`.
 *
 * Guarantees (tested in test/cache/image-index.test.ts, including two processes tagging at once):
 * - Updates are read-modify-write under the store lock and replace the file by rename, so
 *   concurrent builds in different processes never lose each other's tags and readers (which
 *   take no lock) never see a torn file.
 * - `tag()` checks, under the same lock, that the manifest and config blobs are stored, so prune
 *   (which holds the lock) never deletes the blobs of an image being tagged.
 * - An unreadable index is an error (CACHE_INDEX_INVALID), never silently replaced by an empty
 *   one: that would untag every image.
 */
export class ImageIndex {
  constructor(
    /** `<cache>/index.json` (CacheStore.paths.index). */
    readonly file: string,
    private readonly blobs: BlobStore,
    private readonly lock: StoreLock,
  ) {}

  /** All tags, sorted. */
  async list(): Promise<Array<{ tag: string } & ImageEntry>> {
    const index = await this.read();
    return Object.keys(index.images)
      .sort()
      .map((tag) => ({ tag, ...index.images[tag] }));
  }

  async get(tag: string): Promise<ImageEntry | undefined> {
    return (await this.read()).images[tag];
  }

  /**
   * Finds an image by tag, by manifest digest, or by a prefix (≥ 4 hex characters) of its config
   * digest — the "IMAGE ID" `tsbuild images` prints. Returns every tag that matches.
   */
  async find(ref: string): Promise<Array<{ tag: string } & ImageEntry>> {
    const all = await this.list();
    const exact = all.filter((e) => e.tag === ref);
    if (exact.length > 0) return exact;
    const hex = ref.startsWith("sha256:") ? ref.slice(7) : ref;
    if (!/^[a-f0-9]{4,64}$/.test(hex)) return [];
    return all.filter((e) => e.manifestDigest.slice(7) === hex || e.configDigest.slice(7).startsWith(hex));
  }

  /** Points `tag` at an image (replacing what it pointed at). Returns the previous entry. */
  async tag(
    tag: string,
    entry: Omit<ImageEntry, "created"> & { created?: string },
  ): Promise<ImageEntry | undefined> {
    if (tag === "") throw new CacheError("CACHE_INDEX_INVALID", "tag image: empty tag");
    if (!isDigest(entry.manifestDigest) || !isDigest(entry.configDigest)) {
      throw new CacheError(
        "CACHE_INDEX_INVALID",
        `tag image ${tag}: manifest and config must be sha256 digests`,
      );
    }
    const full: ImageEntry = { ...entry, created: entry.created ?? new Date().toISOString() };
    return this.update(async (index) => {
      for (const digest of [full.manifestDigest, full.configDigest]) {
        if (!(await this.blobs.has(digest))) {
          throw new CacheError(
            "CACHE_IMAGE_NOT_FOUND",
            `tag image ${tag}: blob ${digest} is not in the store`,
          );
        }
      }
      const previous = index.images[tag];
      index.images[tag] = full;
      return previous;
    });
  }

  /** Removes a tag. Returns the removed entry, or undefined if the tag did not exist. */
  async untag(tag: string): Promise<ImageEntry | undefined> {
    return this.update(async (index) => {
      const previous = index.images[tag];
      delete index.images[tag];
      return previous;
    });
  }

  private async update<T>(change: (index: IndexFile) => Promise<T>): Promise<T> {
    return this.lock.withLock(async () => {
      const index = await this.read();
      const before = JSON.stringify(index);
      const result = await change(index);
      // Re-tagging a rebuilt image with the same entry changes nothing: no write, no fsync.
      if (JSON.stringify(index) !== before)
        await writeFileAtomic(this.file, `${JSON.stringify(index, null, 2)}\n`);
      return result;
    });
  }

  private async read(): Promise<IndexFile> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, "utf8");
    } catch (err) {
      if (isErrno(err, "ENOENT")) return { version: 1, images: {} };
      throw new CacheError("CACHE_IO", `read image index ${this.file}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new CacheError("CACHE_INDEX_INVALID", `parse image index ${this.file}: ${errorMessage(err)}`);
    }
    const p = parsed;
    if (!isRecord(p) || p.version !== 1 || !isRecord(p.images)) {
      throw new CacheError(
        "CACHE_INDEX_INVALID",
        `parse image index ${this.file}: not a version 1 tsbuild index`,
      );
    }
    // Entries are tsbuild's own, checked by tag() when written; they are read as they are.
    return { version: 1, images: { ...(p.images as Record<string, ImageEntry>) } };
  }
}
