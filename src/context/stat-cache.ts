import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "../cache/atomic-file";
import { isRecord } from "../guards";

/**
 * Persistent map from a context file's stat to its content hash and xattr summary, so a rebuild
 * re-reads only files whose stat changed and lists no xattrs of the others (setting or removing
 * an xattr changes the ctime, so an unchanged stat vouches for them too). One JSON file per
 * context directory (named after the directory's dev and inode, so renaming or moving the
 * context keeps its cache).
 *
 * Guarantees:
 * - An entry is used only if dev, inode, size, mtime and ctime (nanoseconds) all still match.
 *   ctime cannot be set from user space, so `touch -d` tricks cannot forge a hit.
 * - "Racy" entries are never stored: if a file changed within RACY_WINDOW of being hashed, a
 *   later write could land in the same timestamp tick and leave the stat unchanged (git's racy
 *   index problem). Such files are simply hashed again next time.
 * - Writes are atomic (writeFileAtomic: temporary file + rename); concurrent builds may each
 *   write, the last rename wins, and a reader only ever sees a whole file.
 * - A file that is unreadable, truncated, of another version or failing its checksum is ignored
 *   and rebuilt, never trusted.
 */
export class StatCache {
  /** Read when first needed: a rebuild the selection memo answers never needs it (see SelectionMemo). */
  private loaded: Map<string, Entry> | undefined;
  private dirty = false;
  /** Entries set and content bytes they vouch for since the last write (see save). */
  private changedEntries = 0;
  private changedBytes = 0;

  private constructor(
    readonly file: string | undefined,
    entries?: Map<string, Entry>,
  ) {
    this.loaded = entries;
  }

  private get entries(): Map<string, Entry> {
    if (this.loaded === undefined) {
      let entries = new Map<string, Entry>();
      try {
        if (this.file !== undefined) entries = decode(fs.readFileSync(this.file, "utf8"));
      } catch {
        // Missing or unusable: start empty; the next save replaces it.
      }
      this.loaded = entries;
    }
    return this.loaded;
  }

  /** An in-memory cache that never persists (no cache dir). */
  static memory(): StatCache {
    return new StatCache(undefined, new Map());
  }

  /**
   * The cache for the context whose root has stat `rootStat` in `cacheDir` (the cache store's
   * `context/` entry), read on first use; a bad file yields an empty cache.
   */
  static open(cacheDir: string, rootStat: fs.BigIntStats): StatCache {
    return new StatCache(contextStatFile(cacheDir, rootStat, "json"));
  }

  get size(): number {
    return this.entries.size;
  }

  /** What is cached for `rel` if its stat signature (statSignature) is unchanged. */
  lookup(rel: string, signature: string): CachedContent | undefined {
    const entry = this.entries.get(rel);
    if (entry === undefined || entry[1] !== signature) return undefined;
    // Checked here rather than at load: a rebuild asks for each file once, and a load of a
    // 20,000-entry file spent as long testing entries as parsing them.
    const [, , hash, xattrs = ""] = entry;
    if (!HASH.test(hash) || (xattrs !== "" && !xattrs.startsWith("["))) return undefined;
    return { hash, xattrs };
  }

  /**
   * Remembers `content` for `rel` as of `stat`, taken after the content was read (its xattrs
   * listed after the walk's lstat, before that); `nowNs` is the wall clock at that moment;
   * `signature` is statSignature(stat). Returns whether the entry was stored (false when racy).
   */
  record(rel: string, stat: StatIdentity, content: CachedContent, nowNs: bigint, signature: string): boolean {
    if (!settled(stat.mtimeNs > stat.ctimeNs ? stat.mtimeNs : stat.ctimeNs, nowNs)) return false;
    const { hash, xattrs } = content;
    const prev = this.entries.get(rel);
    if (prev?.[1] === signature && prev[2] === hash && (prev[3] ?? "") === xattrs) return true;
    this.entries.set(rel, xattrs === "" ? [rel, signature, hash] : [rel, signature, hash, xattrs]);
    this.dirty = true;
    this.changedEntries++;
    this.changedBytes += Number(stat.size);
    return true;
  }

  /**
   * Writes the cache if anything changed since it was loaded or last saved, unless the change is
   * too small to pay for rewriting a big file: a few touched or edited small files among
   * thousands are cheaper to hash again next time (microseconds each) than the whole file is to
   * encode and write (a 200,000-entry cache is 25 MB; 20,000 entries, 2 MB and ~25 ms). What is
   * not written is simply not known next time, never wrong.
   */
  async save(): Promise<void> {
    if (!this.dirty || this.file === undefined) return;
    const size = this.entries.size;
    if (
      size >= DEFER_MIN_ENTRIES &&
      this.changedEntries * DEFER_MAX_SHARE <= size &&
      this.changedBytes <= DEFER_MAX_BYTES
    )
      return;
    this.dirty = false;
    const [entries, bytes] = [this.changedEntries, this.changedBytes];
    this.changedEntries = 0;
    this.changedBytes = 0;
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    try {
      await writeFileAtomic(this.file, encode(this.entries), { durable: false });
    } catch (err) {
      this.dirty = true;
      this.changedEntries += entries;
      this.changedBytes += bytes;
      throw err;
    }
  }
}

/** The file of kind `ext` kept for the context whose root has stat `rootStat`. */
export function contextStatFile(cacheDir: string, rootStat: fs.BigIntStats, ext: string): string {
  const identity = createHash("sha256").update(`${rootStat.dev}:${rootStat.ino}`).digest("hex").slice(0, 32);
  return path.join(cacheDir, "context-stat", `${identity}.${ext}`);
}

/**
 * Whether a stat signature's last change is far enough in the past for a later change to show
 * in it (record()'s racy rule).
 */
export function settledSignature(signature: string, nowNs: bigint): boolean {
  // The last two fields as text, one BigInt made: a selection checks every file of a context.
  const c = signature.lastIndexOf(":");
  const m = signature.lastIndexOf(":", c - 1);
  const mtime = signature.slice(m + 1, c);
  const ctime = signature.slice(c + 1);
  const later = mtime.length > ctime.length || (mtime.length === ctime.length && mtime > ctime);
  return settled(BigInt(later ? mtime : ctime), nowNs);
}

/** The racy rule: a file last changed at `changedNs` can be trusted by its stat from now on. */
function settled(changedNs: bigint, nowNs: bigint): boolean {
  // File systems with whole-second timestamps need a wider window.
  const window = changedNs % 1_000_000_000n === 0n ? COARSE_RACY_WINDOW_NS : RACY_WINDOW_NS;
  return changedNs + window < nowNs;
}

/** What the stat cache knows of a file whose stat has not changed. */
export interface CachedContent {
  /** xxh64 of the content, 16 hex digits. */
  hash: string;
  /** The fingerprint's summary of its xattrs (see xattrSummary); "" when it has none. */
  xattrs: string;
}

/**
 * [path, signature ("dev:ino:size:mtimeNs:ctimeNs"), hash, xattr summary when not ""]: the file's
 * own layout, so a load keeps what JSON.parse made instead of copying it.
 */
type Entry = [string, string, string] | [string, string, string, string];

/**
 * save() leaves a cache of at least DEFER_MIN_ENTRIES entries unwritten while the entries set
 * since its last write are at most 1/DEFER_MAX_SHARE of them and vouch for at most
 * DEFER_MAX_BYTES of content (what the next build reads again).
 */
const DEFER_MIN_ENTRIES = 4096;
const DEFER_MAX_SHARE = 100;
const DEFER_MAX_BYTES = 4 * 1024 * 1024;

/** Kernel timestamps advance in coarse-clock ticks (≤ 10 ms); 100 ms leaves a wide margin. */
const RACY_WINDOW_NS = 100_000_000n;
const COARSE_RACY_WINDOW_NS = 2_000_000_000n;
/** 2: entries carry the xattr summary. */
const VERSION = 2;

/** The stat fields that say a file is unchanged: all the stat cache and the hasher keep of a stat. */
export type StatIdentity = Pick<fs.BigIntStats, "dev" | "ino" | "size" | "mtimeNs" | "ctimeNs">;

/** The stat fields an entry is valid for: "dev:ino:size:mtimeNs:ctimeNs". */
export function statSignature(st: StatIdentity): string {
  // join() makes one flat string; a template literal leaves a rope of 13 heap objects, and a
  // build holds one signature per context file.
  return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(":");
}

/** The StatIdentity a statSignature was made of. */
export function parseSignature(signature: string): StatIdentity {
  const [dev, ino, size, mtimeNs, ctimeNs] = signature.split(":").map(BigInt) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return { dev, ino, size, mtimeNs, ctimeNs };
}

const HASH = /^[0-9a-f]{16}$/;

function encode(entries: Map<string, Entry>): string {
  const body = JSON.stringify([...entries.values()]);
  const checksum = createHash("sha256").update(body).digest("hex");
  return `${HEAD}${VERSION},"checksum":"${checksum}","entries":${body}}\n`;
}

const HEAD = '{"version":';

/**
 * Throws on anything but a well-formed file of this version whose checksum holds. The checksum
 * covers the entries' text as written (found by the fixed layout encode() writes), so it is
 * checked without serialising them again.
 */
function decode(text: string): Map<string, Entry> {
  const open = `${HEAD}${VERSION},"checksum":"`;
  const entriesAt = open.length + 64 + '","entries":'.length;
  if (!text.startsWith(open) || !text.endsWith("}\n")) throw new Error("bad header");
  const checksum = text.slice(open.length, open.length + 64);
  const body = text.slice(entriesAt, text.length - 2);
  if (createHash("sha256").update(body).digest("hex") !== checksum) throw new Error("bad checksum");
  const doc: unknown = JSON.parse(text);
  if (!isRecord(doc)) throw new Error("not an object");
  const { version, entries } = doc;
  if (version !== VERSION || doc.checksum !== checksum || !Array.isArray(entries))
    throw new Error("bad header");
  const out = new Map<string, Entry>();
  for (const item of entries) {
    if (!Array.isArray(item) || item.length < 3 || item.length > 4) throw new Error("bad entry");
    const [rel, sig, hash, xattrs = ""]: unknown[] = item;
    if (
      typeof rel !== "string" ||
      typeof sig !== "string" ||
      typeof hash !== "string" ||
      typeof xattrs !== "string"
    )
      throw new Error("bad entry");
    // cast: 3 or 4 strings, checked above; the hash and summary are checked on lookup, and a
    // signature is only ever compared with one made from a stat.
    out.set(rel, item as Entry);
  }
  return out;
}
