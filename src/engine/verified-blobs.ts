import * as fs from "node:fs";
import * as path from "node:path";
import type { BlobStore } from "../cache";
import { writeFileAtomic } from "../cache/atomic-file";
import { digestHex } from "../image/digest";

/**
 * Remembers which layer blobs were re-hashed and found intact, so a cache hit does not re-hash
 * a large layer every build. A stamp (`<cache>/verified/<hex>`) holds the blob's inode, size and
 * ctime right after it was checked; any write to the blob (or a replacement, or a chmod or
 * utimes) changes its ctime, so a stamp that still matches means the bytes are the ones that were
 * hashed. A missing, stale or unreadable stamp only costs a re-hash. Cache hits do not touch
 * blobs (StepRecords), so a blob is hashed once per content and its stamp is written once.
 */
export class VerifiedBlobs {
  constructor(
    /** `<cache>/verified` (CacheStore.paths.verified). */
    private readonly dir: string,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * True when the blob is intact: by its stamp, else by re-hashing (a corrupt blob is evicted;
   * an intact one is stamped). The stamp check is one stat and one read, synchronous: it runs on
   * every cache hit, where thread-pool round trips cost more than the calls.
   */
  async intact(digest: string): Promise<boolean> {
    const now = this.identity(digest);
    if (now === undefined) return false;
    if (this.readStamp(digest) === now) return true;
    if ((await this.blobs.verify(digest)) !== "ok") return false;
    await this.stamp(digest);
    return true;
  }

  /**
   * Records the blob's current identity as verified (call once its bytes were hashed). Best
   * effort: a stamp that cannot be written only means a re-hash next time.
   */
  async stamp(digest: string): Promise<void> {
    const now = this.identity(digest);
    if (now === undefined || this.readStamp(digest) === now) return;
    try {
      await fs.promises.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(this.stampPath(digest), now, { durable: false });
    } catch {
      // A stamp that could not be written only costs a re-hash next time.
    }
  }

  private stampPath(digest: string): string {
    return path.join(this.dir, digestHex(digest));
  }

  private readStamp(digest: string): string | undefined {
    try {
      return fs.readFileSync(this.stampPath(digest), "utf8");
    } catch {
      return undefined;
    }
  }

  private identity(digest: string): string | undefined {
    try {
      const st = fs.statSync(this.blobs.path(digest), { bigint: true });
      return `${st.ino}:${st.size}:${st.ctimeNs}`;
    } catch {
      return undefined;
    }
  }
}
