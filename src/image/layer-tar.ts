import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import type { Hash } from "node:crypto";
import { Readable } from "node:stream";
import { InvalidLayerEntryError, WhiteoutNameError } from "./errors";
import type { LayerEntry } from "./layer-entry";
import { encodeTarHeader, END_OF_ARCHIVE, padding, type TarHeader } from "./tar-header";
import { asBuffer } from "../bytes";

export interface LayerTarOptions {
  /**
   * Clamp every mtime to at most this many seconds since the epoch (SOURCE_DATE_EPOCH, as
   * BuildKit's rewrite-timestamp does). Whiteouts always get mtime 0.
   */
  clampMtime?: number | undefined;
  /**
   * How many entries ahead of the writer small files (≤ 64 KiB) are opened and read, so their
   * I/O overlaps (default 32; at most 2 MiB held). Use 0 when an entry's content only becomes
   * readable after the producer advances past the previous one (re-streaming a tar).
   */
  readAhead?: number | undefined;
  /**
   * Also fed the same tar with every mtime 0: a digest of what the layer holds whatever the
   * times (BuildKit's content checksum of a stage's files ignores them too). COPY --from=stage
   * keys on it, so a rebuilt stage with the same files is still a cache hit downstream.
   */
  timeless?: Hash | undefined;
}

export const WHITEOUT_PREFIX = ".wh.";
export const OPAQUE_WHITEOUT = ".wh..wh..opq";

/** Throws unless `p` is a relative POSIX path without "." / ".." / empty segments. */
export function validateEntryPath(p: string, what = "layer entry"): void {
  if (p.length === 0 || p.startsWith("/") || p.endsWith("/") || p.includes("\0")) {
    throw new InvalidLayerEntryError(
      `write ${what}: path ${JSON.stringify(p)} must be relative, non-empty, without a trailing "/"`,
    );
  }
  for (const seg of p.split("/")) {
    if (seg === "" || seg === "." || seg === "..") {
      throw new InvalidLayerEntryError(
        `write ${what}: path ${JSON.stringify(p)} has an empty, "." or ".." segment`,
      );
    }
  }
}

/**
 * Throws WhiteoutNameError when a segment of the entry's path starts with ".wh." (for a whiteout
 * or opaque entry, the path is what it deletes or hides, never ".wh." itself). Every consumer (containerd,
 * Docker, Podman, tsbuild's own unpack) reads such a tar name as a deletion, so an ordinary file
 * called ".wh.passwd" would delete /etc/passwd of the layers below (Kaniko's whiteout bug).
 */
export function refuseWhiteoutNames(entry: LayerEntry): void {
  for (const seg of entry.path.split("/")) {
    if (!seg.startsWith(WHITEOUT_PREFIX)) continue;
    const meaning =
      seg === OPAQUE_WHITEOUT
        ? "hides its whole directory from the layers below"
        : `deletes ${JSON.stringify(seg.slice(WHITEOUT_PREFIX.length))} from the layers below`;
    throw new WhiteoutNameError(
      `${JSON.stringify(entry.path)} is named like a whiteout: in an image layer ${JSON.stringify(seg)} ${meaning}, so it cannot be stored as a ${entry.type}; rename it`,
      entry.path,
    );
  }
}

/** The name an entry gets in the tar: whiteouts become ".wh.<name>", opaque dirs "<dir>/.wh..wh..opq". */
export function tarName(entry: LayerEntry): string {
  switch (entry.type) {
    case "whiteout": {
      const slash = entry.path.lastIndexOf("/");
      return slash < 0
        ? WHITEOUT_PREFIX + entry.path
        : `${entry.path.slice(0, slash + 1)}${WHITEOUT_PREFIX}${entry.path.slice(slash + 1)}`;
    }
    case "opaque":
      return `${entry.path}/${OPAQUE_WHITEOUT}`;
    case "directory":
      return entry.path + "/";
    default:
      return entry.path;
  }
}

function headerOf(entry: LayerEntry, clampMtime: number | undefined): TarHeader {
  const name = tarName(entry);
  if (entry.type === "whiteout" || entry.type === "opaque") {
    return { name, type: "file", mode: 0, uid: 0, gid: 0, size: 0, mtime: 0 };
  }
  let mtime = Math.floor(entry.mtimeMs / 1000);
  if (clampMtime !== undefined && mtime > clampMtime) mtime = clampMtime;
  // One literal per header (no `{ ...base, type }`: see the entry constructors in layer-entry.ts).
  const h: TarHeader = {
    name,
    type: "file",
    mode: entry.mode & 0o7777,
    uid: entry.uid,
    gid: entry.gid,
    size: 0,
    mtime,
  };
  if (entry.xattrs !== undefined) h.xattrs = entry.xattrs;
  switch (entry.type) {
    case "file":
      h.size = entry.size;
      break;
    case "directory":
      h.type = "directory";
      break;
    case "symlink":
      h.type = "symlink";
      h.linkname = entry.target;
      break;
    case "hardlink":
      validateEntryPath(entry.target, `hard link ${entry.path} target`);
      h.type = "hardlink";
      h.linkname = entry.target;
      break;
    case "char-device":
    case "block-device":
    case "fifo":
      h.type = entry.type;
      h.devmajor = entry.devmajor;
      h.devminor = entry.devminor;
      break;
  }
  return h;
}

async function* fileContent(entry: FileEntry): AsyncGenerator<Buffer> {
  let written = 0;
  for await (const chunk of entry.open()) {
    const buf = asBuffer(chunk);
    written += buf.length;
    if (written > entry.size) {
      throw new InvalidLayerEntryError(
        `read ${entry.path}: file grew past its declared size ${entry.size} while being archived`,
      );
    }
    yield buf;
  }
  if (written !== entry.size) {
    throw new InvalidLayerEntryError(
      `read ${entry.path}: got ${written} bytes, expected ${entry.size} (file changed while being archived)`,
    );
  }
}

/** A file grew or shrank between its lstat and the writer reading it. */
function sizeChanged(entry: FileEntry, got: number): InvalidLayerEntryError {
  return got > entry.size
    ? new InvalidLayerEntryError(
        `read ${entry.path}: file grew past its declared size ${entry.size} while being archived`,
      )
    : new InvalidLayerEntryError(
        `read ${entry.path}: got ${got} bytes, expected ${entry.size} (file changed while being archived)`,
      );
}

const probe = Buffer.alloc(1);

/**
 * A small file's whole content, read synchronously from `entry.contentPath`. One read asks for a
 * byte more than the size: getting exactly `size` bytes means the end was reached (a regular
 * file's read is short only at its end), so open, read, close is the common case; a short read
 * falls back to reading on and probing for one more byte. Cheaper than a stream (and than a
 * thread-pool hop) for the few kilobytes most files of a context hold.
 */
function readSmallDirect(entry: FileEntry, file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const buf = Buffer.allocUnsafe(entry.size + 1);
    let got = fs.readSync(fd, buf, 0, buf.length, 0);
    if (got === entry.size) return buf.subarray(0, got);
    while (got < entry.size) {
      const n = fs.readSync(fd, buf, got, entry.size - got, got);
      if (n === 0) throw sizeChanged(entry, got);
      got += n;
    }
    if (got > entry.size || fs.readSync(fd, buf, got, 1, got) !== 0) throw sizeChanged(entry, got + 1);
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

const DIRECT_CHUNK = 1024 * 1024;

/**
 * A large file's content from `entry.contentPath`, in 1 MiB reads (a stream's are 64 KiB), the
 * next one in flight while the consumer hashes and writes the last (a 200 MB RUN layer: the
 * thread waited ~110 ms for reads otherwise).
 */
async function* readLargeDirect(entry: FileEntry, file: string): AsyncGenerator<Buffer> {
  const handle = await fsp.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  let ahead: Promise<Buffer> | undefined;
  try {
    // A fresh buffer per chunk: the consumer may still hold the previous one.
    const chunkAt = async (at: number): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(Math.min(DIRECT_CHUNK, entry.size - at));
      let filled = 0;
      while (filled < buf.length) {
        const { bytesRead } = await handle.read(buf, filled, buf.length - filled, at + filled);
        if (bytesRead === 0) throw sizeChanged(entry, at + filled);
        filled += bytesRead;
      }
      return buf;
    };
    let got = 0;
    ahead = chunkAt(0);
    while (ahead !== undefined) {
      const buf = await ahead;
      got += buf.length;
      ahead = got < entry.size ? chunkAt(got) : undefined;
      yield buf;
    }
    const { bytesRead } = await handle.read(probe, 0, 1, got);
    if (bytesRead !== 0) throw sizeChanged(entry, got + 1);
  } finally {
    // An abandoned read must end before the handle closes under it.
    await ahead?.catch(() => undefined);
    await handle.close();
  }
}

const HEADER_BATCH = 64 * 1024;

type FileEntry = Extract<LayerEntry, { type: "file" }>;
interface Pending {
  entry: LayerEntry;
  /** Content of a small file, read ahead of the writer. */
  data?: Promise<Buffer[]>;
}

async function readSmall(entry: FileEntry): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of fileContent(entry)) chunks.push(chunk);
  return chunks;
}

/** Yields entries in order while reading up to `window` small files ahead concurrently. */
async function* withReadAhead(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  window: number,
): AsyncGenerator<Pending> {
  if (window <= 0) {
    for await (const entry of entries) yield { entry };
    return;
  }
  const queue: Pending[] = [];
  const it = Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : entries[Symbol.iterator]();
  let done = false;
  for (;;) {
    while (!done && queue.length < window) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      const entry = r.value;
      validateEntryPath(entry.path);
      const item: Pending = { entry };
      if (
        entry.type === "file" &&
        entry.contentPath === undefined &&
        entry.size > 0 &&
        entry.size <= HEADER_BATCH
      ) {
        item.data = readSmall(entry);
        item.data.catch(() => undefined); // surfaced when the writer awaits it
      }
      queue.push(item);
    }
    const next = queue.shift();
    if (!next) return;
    yield next;
  }
}

async function* tarChunks(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  opts: LayerTarOptions,
): AsyncGenerator<Buffer> {
  // Headers of small entries are batched so 18,000 tiny files do not mean 36,000 tiny chunks.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const queue = (buf: Buffer): void => {
    pending.push(buf);
    pendingBytes += buf.length;
  };
  const take = (): Buffer => {
    const out = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return out;
  };
  const timeless = opts.timeless;
  /** Content (and padding) bytes go to the timeless hash as they are; headers with mtime 0. */
  const content = (buf: Buffer): Buffer => {
    timeless?.update(buf);
    return buf;
  };
  async function* large(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) yield content(chunk);
  }
  for await (const { entry, data } of withReadAhead(entries, opts.readAhead ?? 32)) {
    validateEntryPath(entry.path);
    refuseWhiteoutNames(entry);
    const header = headerOf(entry, opts.clampMtime);
    queue(encodeTarHeader(header));
    if (timeless !== undefined) {
      header.mtime = 0; // the header is this loop's own; encoded above
      timeless.update(encodeTarHeader(header));
    }
    if (entry.type === "file" && entry.size > 0) {
      if (entry.contentPath !== undefined) {
        if (entry.size <= HEADER_BATCH) queue(content(readSmallDirect(entry, entry.contentPath)));
        else {
          yield take();
          yield* large(readLargeDirect(entry, entry.contentPath));
        }
      } else if (data) {
        for (const chunk of await data) queue(content(chunk));
      } else if (entry.size <= HEADER_BATCH) {
        for await (const chunk of fileContent(entry)) queue(content(chunk));
      } else {
        yield take();
        yield* large(fileContent(entry));
      }
      queue(content(padding(entry.size)));
    }
    if (pendingBytes >= HEADER_BATCH) yield take();
  }
  queue(content(END_OF_ARCHIVE));
  yield take();
}

/**
 * Serializes entries to a layer tar, in the order given. Callers pass entries sorted (see
 * sortEntries) with parents before children and hard-link targets before their links; the
 * writer does not reorder, so a producer that streams in order never buffers anything. Output is
 * deterministic: same entries and contents → same bytes.
 */
export function layerTar(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  opts: LayerTarOptions = {},
): Readable {
  return Readable.from(tarChunks(entries, opts), { objectMode: false, highWaterMark: 256 * 1024 });
}
