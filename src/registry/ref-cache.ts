import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "../cache/atomic-file";
import { formatReference, type Reference } from "./reference";

/**
 * `<cache>/registry-refs.json`: what each pulled tag last resolved to ("127.0.0.1:5000/x:latest" →
 * manifest digest), and which repositories of a registry are known to hold a blob (for
 * cross-repository mounts on push). A cache only: a lost or unreadable file means one more
 * request, so it is written without fsync and concurrent writers may drop each other's entries.
 */
interface RefCacheFile {
  version: 1;
  refs: Record<string, string>;
  /** digest → ["registry/repository", ...] (most recent first, a few at most). */
  blobs: Record<string, string[]>;
}

const MAX_SOURCES_PER_BLOB = 4;

export class RefCache {
  constructor(
    /** `<cache>/registry-refs.json` (CacheStore.paths.registryRefs). */
    readonly file: string,
  ) {}

  private async read(): Promise<RefCacheFile> {
    try {
      // Its fields are checked just below; anything else reads as an empty cache.
      const parsed = JSON.parse(await fsp.readFile(this.file, "utf8")) as RefCacheFile;
      if (parsed.version === 1 && parsed.refs && parsed.blobs) return parsed;
    } catch {
      // Absent or unreadable: start empty.
    }
    return { version: 1, refs: {}, blobs: {} };
  }

  /** The manifest digest `ref`'s tag last resolved to. */
  async resolved(ref: Reference): Promise<string | undefined> {
    return (await this.read()).refs[formatReference({ ...ref, digest: undefined })];
  }

  /** Repositories ("registry/repository") known to hold `digest`. */
  async sources(digest: string): Promise<string[]> {
    return (await this.read()).blobs[digest] ?? [];
  }

  /** Records a tag's digest and where blobs were seen, in one write. */
  async record(update: {
    ref?: Reference;
    digest?: string;
    blobs?: readonly string[];
    repository?: string;
  }): Promise<void> {
    const data = await this.read();
    const before = JSON.stringify(data);
    if (update.ref && update.digest)
      data.refs[formatReference({ ...update.ref, digest: undefined })] = update.digest;
    if (update.repository) {
      for (const d of update.blobs ?? []) {
        const list = (data.blobs[d] ?? []).filter((r) => r !== update.repository);
        data.blobs[d] = [update.repository, ...list].slice(0, MAX_SOURCES_PER_BLOB);
      }
    }
    const after = JSON.stringify(data);
    // A rebuild resolves the same tags to the same digests: nothing to write.
    if (after === before) return;
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, after, { durable: false });
  }
}
