import * as fs from "node:fs";
import pLimit from "p-limit";
import xxhash from "xxhash-wasm";
import type { ContextStats } from "./context-file";
import { ContextError } from "./errors";
import { xattrSummary } from "./fingerprint";
import type { CachedContent, StatCache, StatIdentity } from "./stat-cache";
import { errorMessage } from "../errors";
import { contentXattrs } from "../rootfs/overlay";

/**
 * Content hashes of context files for cache keys.
 *
 * xxh64 (xxhash-wasm, several GB/s) rather than sha256: a cache-key fingerprint only has to
 * tell edits apart, it is not a security boundary: nobody gains from forging a collision with
 * their own build context. Layer blobs themselves are digested with sha256 elsewhere.
 *
 * Each file is read at most once per build (memoised by path and stat) and not at all when the
 * persistent stat cache vouches for it; nor are its xattrs listed then (the cache keeps their
 * summary too). Large files are read in parallel, at most
 * `concurrency` at a time; small ones are read inline, since a thread-pool round trip costs more
 * than reading a few kilobytes from the page cache.
 */
export class ContentHasher {
  readonly stats: ContextStats = { filesHashed: 0, bytesRead: 0, cacheHits: 0, xattrLists: 0 };
  /**
   * What this build learnt of each file, by path, for the stat signature it holds: one entry per
   * file for the hash, the xattrs and their summary (three maps held three keys per file, ~250
   * bytes of a 200,000-file COPY's heap each; a key of path and signature, another ~100). Keyed
   * by the caller's path string itself, no key of its own.
   */
  private readonly memo = new Map<string, FileMemo>();
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly statCache: StatCache,
    concurrency = 4,
  ) {
    this.limit = pLimit(concurrency);
  }

  /**
   * Resolves once the hash function is loaded: from then on a small file is hashed as soon as it
   * is asked for, not after an await per file (which held every file's read at once).
   */
  async ready(): Promise<void> {
    await xxhashApi();
  }

  /**
   * What the persistent stat cache knows of `rel` if its stat signature is `signature`, with no
   * memo and no promise: the fast path of a rebuild, where nearly every file is unchanged (a
   * 20,000-file context's memo keys, promises and summaries were ~60 ms and most of its garbage).
   * Counts a hit per call; the caller keeps the answer.
   */
  cached(rel: string, signature: string): CachedContent | undefined {
    const cached = this.statCache.lookup(rel, signature);
    if (cached !== undefined) this.stats.cacheHits++;
    return cached;
  }

  /**
   * Hash of the regular file `hostPath` (context path `rel`) whose lstat is `stat`; `signature`
   * is statSignature(stat), made once per file by the caller (it keys every memo here).
   */
  hash(rel: string, hostPath: string, stat: StatIdentity, signature: string): Promise<string> {
    const memo = this.memoOf(rel, signature);
    if (memo.hash === undefined) {
      const computed = this.compute(rel, hostPath, stat, memo, signature);
      memo.hash = computed;
      // Kept as the string once known: a settled promise per file was ~46 bytes of heap each.
      if (typeof computed !== "string")
        computed.then(
          (h) => (memo.hash = h),
          () => undefined, // the caller of this very call gets the rejection
        );
    }
    return typeof memo.hash === "string" ? Promise.resolve(memo.hash) : memo.hash;
  }

  /** The memo of `rel` for `signature`: a file seen with another stat starts a fresh one. */
  private memoOf(rel: string, signature: string): FileMemo {
    let memo = this.memo.get(rel);
    if (memo === undefined || memo.signature !== signature) {
      memo = new FileMemo(signature);
      this.memo.set(rel, memo);
    }
    return memo;
  }

  /**
   * The xattrs of `hostPath` (overlayfs's left out), listed once per build and stat, and not at
   * all when its summary says it has none: the fingerprint's walk and the COPY's walk each see
   * the file, and setting an xattr changes its ctime, so a changed list has another key.
   */
  xattrs(rel: string, hostPath: string, signature: string): Record<string, Buffer> | undefined {
    return this.xattrsOf(this.memoOf(rel, signature), hostPath);
  }

  private xattrsOf(memo: FileMemo, hostPath: string): Record<string, Buffer> | undefined {
    if (memo.listed) return memo.xattrs;
    // A summary of none (from the stat cache, for this very stat) leaves nothing to list: a
    // COPY of 20,000 unchanged files made as many llistxattr calls (110 ms) for no xattrs.
    memo.xattrs = memo.summary === "" ? undefined : contentXattrs(hostPath);
    memo.listed = true;
    return memo.xattrs;
  }

  /**
   * xattrSummary of the regular file's xattrs: what the stat cache holds when its hash() came
   * from there, else made from a listing (once per build and stat).
   */
  xattrSummary(rel: string, hostPath: string, signature: string): string {
    return this.summaryOf(this.memoOf(rel, signature), hostPath);
  }

  private summaryOf(memo: FileMemo, hostPath: string): string {
    if (memo.summary === undefined) {
      this.stats.xattrLists++;
      memo.summary = xattrSummary(this.xattrsOf(memo, hostPath));
    }
    return memo.summary;
  }

  private compute(
    rel: string,
    hostPath: string,
    stat: StatIdentity,
    memo: FileMemo,
    signature: string,
  ): string | Promise<string> {
    const cached = this.statCache.lookup(rel, signature);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      memo.summary = cached.xattrs;
      return cached.hash;
    }
    // Listed after the walk's lstat and before the read: an xattr set in between changes the
    // ctime, so the stat taken after reading differs and nothing is stored (see finish).
    const xattrs = this.summaryOf(memo, hostPath);
    // Small files: read synchronously, right now (most of a context, and the per-file cost is
    // syscalls, which a thread-pool hop would only add to).
    if (stat.size <= INLINE_READ_LIMIT && loadedApi !== undefined) {
      try {
        return this.finish(rel, stat, readInline(hostPath, loadedApi), xattrs, signature);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.computeAsync(rel, hostPath, stat, xattrs, signature);
  }

  private async computeAsync(
    rel: string,
    hostPath: string,
    stat: StatIdentity,
    xattrs: string,
    signature: string,
  ): Promise<string> {
    const hasher = await xxhashApi();
    const read =
      stat.size <= INLINE_READ_LIMIT
        ? readInline(hostPath, hasher)
        : await this.limit(() => readStreaming(hostPath, hasher));
    return this.finish(rel, stat, read, xattrs, signature);
  }

  private finish(
    rel: string,
    stat: StatIdentity,
    read: ReadResult,
    xattrs: string,
    signature: string,
  ): string {
    this.stats.filesHashed++;
    this.stats.bytesRead += read.bytes;
    // Store only if the file did not change under us (the stat after reading is the one before,
    // so its signature is the walk's).
    if (sameFile(stat, read.after))
      this.statCache.record(
        rel,
        read.after,
        { hash: read.hash, xattrs },
        BigInt(Date.now()) * 1_000_000n,
        signature,
      );
    return read.hash;
  }
}

/** ContentHasher's memo of one file (path and stat signature). */
class FileMemo {
  /** The hash, or its computation while it runs (or when it failed). */
  hash: string | Promise<string> | undefined = undefined;
  /** Whether xattrs holds the listing (undefined: none, or not listable). */
  listed = false;
  xattrs: Record<string, Buffer> | undefined = undefined;
  summary: string | undefined = undefined;

  constructor(readonly signature: string) {}
}

/** Files up to this size are read synchronously in one call. */
const INLINE_READ_LIMIT = 64 * 1024;
const CHUNK = 1024 * 1024;

type XXHash = Awaited<ReturnType<typeof xxhash>>;
let api: Promise<XXHash> | undefined;
/** The instantiated WebAssembly module, once ready: lets small files be hashed synchronously. */
let loadedApi: XXHash | undefined;
function xxhashApi(): Promise<XXHash> {
  api ??= xxhash().then((loaded) => (loadedApi = loaded));
  return api;
}

interface ReadResult {
  hash: string;
  bytes: number;
  after: fs.BigIntStats;
}

const inlineBuffer = Buffer.allocUnsafe(INLINE_READ_LIMIT + 1);

function readInline(hostPath: string, hasher: XXHash): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(hostPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    throw readError(hostPath, err);
  }
  try {
    // One read normally gets it all: the buffer is one byte larger than any inline file, so a
    // read that does not fill it has reached the end, unless the file system returned short
    // (checked against fstat below).
    let bytes = fs.readSync(fd, inlineBuffer, 0, inlineBuffer.length, 0);
    let digest: bigint;
    let after = fs.fstatSync(fd, { bigint: true });
    if (bytes < inlineBuffer.length && BigInt(bytes) === after.size) {
      digest = hasher.h64Raw(inlineBuffer.subarray(0, bytes));
    } else {
      // Grew since its lstat, or a short read: hash it in a loop from the start.
      const h = hasher.create64();
      bytes = 0;
      for (;;) {
        const n = fs.readSync(fd, inlineBuffer, 0, inlineBuffer.length, bytes);
        if (n === 0) break;
        h.update(inlineBuffer.subarray(0, n));
        bytes += n;
      }
      digest = h.digest();
      after = fs.fstatSync(fd, { bigint: true });
    }
    return { hash: hex64(digest), bytes, after };
  } catch (err) {
    throw readError(hostPath, err);
  } finally {
    fs.closeSync(fd);
  }
}

async function readStreaming(hostPath: string, hasher: XXHash): Promise<ReadResult> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(hostPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    throw readError(hostPath, err);
  }
  try {
    const h = hasher.create64();
    const buffer = Buffer.allocUnsafe(CHUNK);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      h.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    const after = await handle.stat({ bigint: true });
    return { hash: hex64(h.digest()), bytes, after };
  } catch (err) {
    throw readError(hostPath, err);
  } finally {
    await handle.close();
  }
}

function sameFile(a: StatIdentity, b: StatIdentity): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}

function hex64(v: bigint): string {
  return v.toString(16).padStart(16, "0");
}

function readError(hostPath: string, err: unknown): ContextError {
  return new ContextError("CONTEXT_READ", `read build context file ${hostPath}: ${errorMessage(err)}`, {
    cause: err,
  });
}
