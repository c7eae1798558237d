import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { BlobStore } from "../cache";
import { writeFileAtomic } from "../cache/atomic-file";
import { digestHex } from "../image/digest";

/**
 * Remembers which layer blobs were re-hashed and found intact, so a cache hit does not re-hash
 * a large layer every build. A stamp (`<cache>/verified/<hex>`) holds the blob's inode, size and
 * ctime right after it was checked and touched; any write to the blob (or a replacement) changes
 * its ctime, so a stamp that still matches means the bytes are the ones that were hashed. A
 * missing, stale or unreadable stamp only costs a re-hash.
 */
export class VerifiedBlobs {
  constructor(
    /** `<cache>/verified` (CacheStore.paths.verified). */
    private readonly dir: string,
    private readonly blobs: BlobStore,
  ) {}

  /** True when the blob is intact: by its stamp, else by re-hashing (a corrupt blob is evicted). */
  async intact(digest: string): Promise<boolean> {
    const now = await this.identity(digest);
    if (now === undefined) return false;
    const stamp = await fsp.readFile(this.stampPath(digest), "utf8").catch(() => undefined);
    if (stamp === now) return true;
    return (await this.blobs.verify(digest)) === "ok";
  }

  /**
   * Records the blob's current identity as verified (call after the hit touched it). Best
   * effort: a stamp that cannot be written only means a re-hash next time.
   */
  async stamp(digest: string): Promise<void> {
    const now = await this.identity(digest);
    if (now === undefined) return;
    try {
      await fsp.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(this.stampPath(digest), now, { durable: false });
    } catch {
      // A stamp that could not be written only costs a re-hash next time.
    }
  }

  private stampPath(digest: string): string {
    return path.join(this.dir, digestHex(digest));
  }

  private async identity(digest: string): Promise<string | undefined> {
    try {
      const st = await fsp.stat(this.blobs.path(digest), { bigint: true });
      return `${st.ino}:${st.size}:${st.ctimeNs}`;
    } catch {
      return undefined;
    }
  }
}
