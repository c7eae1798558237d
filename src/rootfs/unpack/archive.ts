/**
 * ADD's archive handling: is this source a (possibly compressed) tar, and if so extract it.
 *
 * Like Docker and BuildKit, the decision is made on content, never on the file name: the stream
 * is an archive when, after the decompression its magic bytes announce (gzip, bzip2, xz, zstd or
 * none), it starts with a valid tar header. Anything else (including a gzip of a non-tar) is
 * copied as a plain file by the caller, byte for byte, using the stream `sniffArchive` hands back.
 */
import { Readable } from "node:stream";
import { createDecompressor, detectCompression } from "../../image/decompress";
import type { Compression } from "../../image/decompress";
import { applyLayer } from "./apply-layer";
import { UnpackError } from "./errors";
import type { ApplyOptions, ApplyStats } from "./options";
import { asBuffer } from "../../bytes";

const BLOCK = 512;
/**
 * Compressed bytes read at most while looking for the first tar header: one bzip2 block (900 kB)
 * must be read whole before any output, so this leaves room for it. Memory use is bounded by it.
 */
const MAX_SNIFF_BYTES = 4 * 1024 * 1024;

/** True when `block` (at least 512 bytes) is a tar header: a ustar/GNU magic or a valid checksum. */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  const field = Buffer.from(block.buffer, block.byteOffset + 148, 8).toString("latin1");
  const stored = parseInt(field.replace(/[\0 ]+$/g, "").trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  // Old tars summed signed bytes; accept either.
  let signedSum = 0;
  for (let i = 0; i < BLOCK; i++) signedSum += i >= 148 && i < 156 ? 0x20 : (block[i] << 24) >> 24;
  return stored === sum || stored === signedSum;
}

export type SniffResult =
  | { archive: true; compression: Compression; /** The decompressed tar. */ tar: Readable }
  | { archive: false; /** The source's bytes, unchanged, from the start. */ content: Readable };

/** Reads just enough of `source` to tell whether it is an archive; the result replays it whole. */
export async function sniffArchive(source: Readable): Promise<SniffResult> {
  const recorder = new ChunkRecorder(source[Symbol.asyncIterator]());
  while (recorder.bytes < BLOCK && !recorder.done) await recorder.next();
  const compression = detectCompression(recorder.head(BLOCK));
  let first: Buffer;
  if (compression === "none") {
    first = recorder.head(BLOCK);
  } else {
    first = await decompressedPrefix(recorder, compression);
  }
  const replay = Readable.from(recorder.replay(), { objectMode: false });
  if (!isTarHeader(first)) return { archive: false, content: replay };
  if (compression === "none") return { archive: true, compression, tar: replay };
  const decompressor = createDecompressor(compression);
  replay.on("error", (err) => decompressor.destroy(err));
  return { archive: true, compression, tar: replay.pipe(decompressor) };
}

/**
 * Whether `head`, the first bytes of a file (ideally 1 MiB or all of it for bzip2), is an archive
 * ADD would extract.
 */
export async function isArchive(head: Uint8Array): Promise<boolean> {
  const result = await sniffArchive(Readable.from([Buffer.from(head)]));
  const stream = result.archive ? result.tar : result.content;
  // Only the verdict is wanted: a head cut inside compressed data fails to inflate later on.
  stream.on("error", () => undefined);
  stream.destroy();
  return result.archive;
}

/**
 * Extracts an archive (any supported compression) onto `targetDir` with ADD semantics: `.wh.`
 * names are ordinary files unless `opts.whiteoutMode` says otherwise. Rejects with
 * UNPACK_NOT_AN_ARCHIVE when the content is not a tar (callers sniff first to copy those).
 */
export async function applyArchive(
  source: Readable,
  targetDir: string,
  opts: ApplyOptions = {},
): Promise<ApplyStats> {
  const sniffed = await sniffArchive(source);
  if (!sniffed.archive) {
    sniffed.content.destroy();
    throw new UnpackError(
      "UNPACK_NOT_AN_ARCHIVE",
      `extract archive into ${targetDir}: content is not a tar archive`,
    );
  }
  try {
    return await applyLayer(sniffed.tar, targetDir, { whiteoutMode: "none", ...opts });
  } catch (err) {
    if (err instanceof UnpackError && err.code === "UNPACK_BAD_TAR" && sniffed.compression !== "none") {
      throw new UnpackError(
        "UNPACK_DECOMPRESS",
        `extract ${sniffed.compression} archive into ${targetDir}: ${err.message}`,
        undefined,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** Decompresses recorded (and, as needed, further) chunks until 512 bytes come out or input ends. */
async function decompressedPrefix(recorder: ChunkRecorder, compression: Compression): Promise<Buffer> {
  const decoder = createDecompressor(compression);
  // A truncated or corrupt input fails here by design; the verdict uses what came out.
  decoder.on("error", () => undefined);
  const out: Buffer[] = [];
  let outBytes = 0;
  let fed = 0;
  const feed = async (): Promise<void> => {
    while (outBytes < BLOCK && !decoder.destroyed) {
      if (fed === recorder.chunks.length) {
        if (recorder.done || recorder.bytes >= MAX_SNIFF_BYTES) break;
        await recorder.next();
        continue;
      }
      const chunk = recorder.chunks[fed++];
      if (!decoder.write(chunk))
        await new Promise<void>((resolve) => decoder.once("drain", resolve).once("close", resolve));
    }
    decoder.end();
  };
  const feeding = feed().catch(() => undefined);
  try {
    for await (const chunk of decoder) {
      const buf = asBuffer(chunk);
      out.push(buf);
      outBytes += buf.length;
      if (outBytes >= BLOCK) break;
    }
  } catch {
    // Truncated or corrupt: judge on what came out.
  }
  decoder.destroy();
  await feeding;
  return Buffer.concat(out);
}

/**
 * Pulls chunks from a source iterator and keeps every one, so the source can be replayed from the
 * start after sniffing. Only the sniffed head (bounded by MAX_SNIFF_BYTES) is ever held.
 */
class ChunkRecorder {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  done = false;

  constructor(private readonly source: AsyncIterator<unknown>) {}

  async next(): Promise<void> {
    const r = await this.source.next();
    if (r.done) {
      this.done = true;
      return;
    }
    const chunk = asBuffer(r.value);
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  head(n: number): Buffer {
    const all = Buffer.concat(this.chunks);
    return all.subarray(0, Math.min(n, all.length));
  }

  async *replay(): AsyncGenerator<Buffer> {
    yield* this.chunks;
    while (!this.done) {
      const r = await this.source.next();
      if (r.done) return;
      yield asBuffer(r.value);
    }
  }
}
