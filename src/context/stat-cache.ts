import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "../cache/atomic-file";

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
  /** All entries, decoded when a caller needs more than a few (see find). */
  private loaded: Map<string, Entry> | undefined;
  /** The file's bytes, checksum verified, for lookups before a full decode; null when unusable. */
  private raw: RawFile | null | undefined;
  /** Entries recorded before a full decode; merged into it. */
  private readonly recorded = new Map<string, Entry>();
  private rawLookups = 0;
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

  /**
   * Every entry. Read when first needed: a rebuild the selection memo answers never needs it,
   * and one that re-derives a chunk or two finds its few entries in the text (see find).
   */
  private get entries(): Map<string, Entry> {
    if (this.loaded === undefined) {
      let entries = new Map<string, Entry>();
      try {
        const raw = this.rawFile();
        if (raw !== null) entries = decodeEntries(raw);
      } catch {
        // Unusable: start empty; the next save replaces it.
      }
      this.raw = null;
      for (const [rel, entry] of this.recorded) entries.set(rel, entry);
      this.recorded.clear();
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
    const entry = this.find(rel);
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
    const prev = this.find(rel);
    if (prev?.[1] === signature && prev[2] === hash && (prev[3] ?? "") === xattrs) return true;
    const entry: Entry = xattrs === "" ? [rel, signature, hash] : [rel, signature, hash, xattrs];
    (this.loaded ?? this.recorded).set(rel, entry);
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
    // Before a full decode: the file's count plus what was recorded, an upper bound.
    const size = this.loaded?.size ?? (this.rawFile()?.count ?? 0) + this.recorded.size;
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

  /**
   * The entry for `rel`. Until RAW_LOOKUPS have been asked, from the file's text: a rebuild
   * that re-derives one chunk of a fingerprint (a touch, an edit) asks for a few hundred of
   * 20,000 entries, and decoding them all cost more (~20 ms) than the rest of its lookups.
   */
  private find(rel: string): Entry | undefined {
    if (this.loaded !== undefined) return this.loaded.get(rel);
    const recorded = this.recorded.get(rel);
    if (recorded !== undefined) return recorded;
    if (++this.rawLookups > RAW_LOOKUPS) return this.entries.get(rel);
    const raw = this.rawFile();
    return raw === null ? undefined : findEntry(raw, rel);
  }

  /** The file's text once its header and checksum hold (null otherwise, or without a file). */
  private rawFile(): RawFile | null {
    if (this.raw === undefined) {
      this.raw = null;
      try {
        // Bytes, not text: decoding 2 MB to a string cost more (~4 ms) than the lookups it serves.
        if (this.file !== undefined) this.raw = verify(fs.readFileSync(this.file));
      } catch {
        // Missing or unusable: nothing is known.
      }
    }
    return this.raw;
  }
}

/** Lookups answered from the text before the whole file is decoded. */
const RAW_LOOKUPS = 2048;

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
/** 2: entries carry the xattr summary; 3: the header states their count. */
const VERSION = 3;

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
  const checksum = createHash("sha256").update(`${entries.size}\n`).update(body).digest("hex");
  return `${HEAD}${VERSION},"checksum":"${checksum}","count":${entries.size},"entries":${body}}\n`;
}

const HEAD = '{"version":';

/** A stat cache file whose header and checksum hold: its bytes and where its entries are. */
interface RawFile {
  /** The file's UTF-8 text as read. */
  readonly bytes: Buffer;
  /** Where the entries' array starts and ends (exclusive) in bytes. */
  readonly start: number;
  readonly end: number;
  /** The number of entries the header states (checked against them by a full decode). */
  readonly count: number;
  /** Where the last entry found ended: lookups come in walk order, as entries were written. */
  from: number;
}

/**
 * Throws on anything but a file of this version in encode()'s layout whose checksum holds. The
 * checksum covers the count and the entries' text as written, so it is checked without
 * serialising them again.
 */
function verify(bytes: Buffer): RawFile {
  const open = `${HEAD}${VERSION},"checksum":"`;
  // The header is ASCII: its characters are its bytes.
  const head = bytes.toString("latin1", 0, open.length + 100);
  const tail = bytes.toString("latin1", bytes.length - 2);
  if (!head.startsWith(open) || tail !== "}\n") throw new Error("bad header");
  const checksum = head.slice(open.length, open.length + 64);
  const count = /^","count":(\d{1,9}),"entries":\[/.exec(head.slice(open.length + 64));
  if (count === null || !HEX64.test(checksum)) throw new Error("bad header");
  const start = open.length + 64 + (count[0].length - 1);
  const end = bytes.length - 2;
  const digest = createHash("sha256")
    .update(`${count[1]}\n`)
    .update(bytes.subarray(start, end))
    .digest("hex");
  if (digest !== checksum) throw new Error("bad checksum");
  return { bytes, start, end, count: Number(count[1]), from: start };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Every entry of a verified file; throws on a malformed one or a wrong count. */
function decodeEntries(raw: RawFile): Map<string, Entry> {
  const entries: unknown = JSON.parse(raw.bytes.toString("utf8", raw.start, raw.end));
  if (!Array.isArray(entries) || entries.length !== raw.count) throw new Error("bad entries");
  const out = new Map<string, Entry>();
  for (const item of entries) {
    const entry = asEntry(item);
    if (entry === undefined) throw new Error("bad entry");
    out.set(entry[0], entry);
  }
  return out;
}

/** 3 or 4 strings (the hash and summary are checked on lookup). */
function asEntry(item: unknown): Entry | undefined {
  if (!Array.isArray(item) || item.length < 3 || item.length > 4) return undefined;
  // cast: checked below; a signature is only ever compared with one made from a stat.
  return item.every((x) => typeof x === "string") ? (item as Entry) : undefined;
}

/**
 * `rel`'s entry in a verified file's text, without decoding the others: `["<rel>",` (as
 * JSON.stringify writes it) starts that entry and nothing else, since a quote inside a JSON
 * string is always escaped; the entry ends at the first "]" after which its text parses.
 */
function findEntry(raw: RawFile, rel: string): Entry | undefined {
  const { bytes } = raw;
  const needle = Buffer.from(`[${JSON.stringify(rel)},`);
  let at = bytes.indexOf(needle, raw.from);
  if (at < 0 || at >= raw.end) at = bytes.indexOf(needle, raw.start);
  if (at < 0 || at >= raw.end) return undefined;
  // "]" is one byte that no other UTF-8 character's bytes contain.
  for (
    let close = bytes.indexOf(CLOSE, at);
    close >= 0 && close < raw.end;
    close = bytes.indexOf(CLOSE, close + 1)
  ) {
    let item: unknown;
    try {
      item = JSON.parse(bytes.toString("utf8", at, close + 1));
    } catch {
      continue; // a "]" inside a string (an xattr summary, a path)
    }
    raw.from = close + 1;
    return asEntry(item);
  }
  return undefined;
}

const CLOSE = 0x5d;
