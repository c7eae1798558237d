import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { renameIntoPlace, withTemp } from "../cache/atomic-file";
import { tempPath } from "../cache/temp-files";
import { BlobLayer } from "./blob-layer";
import { createCompressor } from "./compression";
import { DigestingStream, digestHex, sha256Digest } from "./digest";
import { ImageError, LayerWriteError } from "./errors";
import type { LayerEntry } from "./layer-entry";
import { layerTar, type LayerTarOptions } from "./layer-tar";
import { layerMediaType, type Compression } from "./media-types";
import { errorMessage } from "../errors";

export interface BuildLayerOptions extends LayerTarOptions {
  /** Directory the blob is written to, as "<dir>/<hex digest>". Must exist. */
  dir: string;
  compression?: Compression;
  level?: number | undefined;
  /** Media types to label the layer with (Docker's for docker-archive-only pipelines). */
  mediaTypeStyle?: "oci" | "docker";
}

/** A layer just written by buildLayer; its blob lives at `info.path`. */
export type BuiltLayer = BlobLayer;

/**
 * Serializes entries to a compressed layer blob in one pass: the tar stream is hashed for the
 * diff_id on its way into the compressor, whose output is hashed and counted on its way into a
 * temporary file, which is then renamed to its digest. Writing the same layer twice is
 * idempotent. On failure the temporary file is removed and nothing is left under `dir`.
 */
export async function buildLayer(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  opts: BuildLayerOptions,
): Promise<BuiltLayer> {
  const compression = opts.compression ?? "gzip";
  const diff = new DigestingStream();
  const blob = new DigestingStream();
  /** The small-layer path's digest and size of the tar (it writes no stream). */
  let small: { digest: string; size: number } | undefined;
  return withTemp(tempPath(opts.dir, "layer"), async (tmp) => {
    try {
      const tar = layerTar(entries, {
        clampMtime: opts.clampMtime,
        readAhead: opts.readAhead,
        timeless: opts.timeless,
      });
      if (compression === "uncompressed") {
        const head = await readSmall(tar);
        if (head.done) {
          // Most steps' layers are a few kilobytes: one synchronous write, no stream to the file.
          fs.writeFileSync(tmp, head.bytes, { flag: "wx" });
          small = { digest: sha256Digest(head.bytes), size: head.bytes.length };
        } else {
          await pipeline(
            Readable.from(resume(head.chunks, head.rest)),
            diff,
            fs.createWriteStream(tmp, { flags: "wx" }),
          );
        }
      } else {
        const out = fs.createWriteStream(tmp, { flags: "wx" });
        await pipeline(tar, diff, createCompressor(compression, { level: opts.level }), blob, out);
      }
    } catch (err) {
      if (err instanceof ImageError) throw err;
      throw new LayerWriteError(`write layer blob ${tmp}: ${errorMessage(err)}`, err);
    }
    const diffId = small?.digest ?? diff.digest();
    const digest = compression === "uncompressed" ? diffId : blob.digest();
    const size = compression === "uncompressed" ? (small?.size ?? diff.size) : blob.size;
    const final = path.join(opts.dir, digestHex(digest));
    try {
      await renameIntoPlace(tmp, final);
    } catch (err) {
      throw new LayerWriteError(`rename temporary layer blob to ${final}: ${errorMessage(err)}`, err);
    }
    return new BlobLayer({
      path: final,
      digest,
      diffId,
      size,
      mediaType: layerMediaType(compression, opts.mediaTypeStyle),
    });
  });
}

/** Up to this many bytes of tar are gathered in memory and written with one call. */
const SMALL_LAYER = 1024 * 1024;

type Head = { done: true; bytes: Buffer } | { done: false; chunks: Buffer[]; rest: AsyncIterator<Buffer> };

/** Reads `tar` to its end if it stays within SMALL_LAYER; else what it read and the rest. */
async function readSmall(tar: Readable): Promise<Head> {
  const it = tar[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done === true) return { done: true, bytes: Buffer.concat(chunks, size) };
      chunks.push(r.value);
      size += r.value.length;
      if (size > SMALL_LAYER) return { done: false, chunks, rest: it };
    }
  } catch (err) {
    tar.destroy();
    throw err;
  }
}

async function* resume(chunks: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* chunks;
  try {
    for (let r = await rest.next(); r.done !== true; r = await rest.next()) yield r.value;
  } finally {
    await rest.return?.();
  }
}
