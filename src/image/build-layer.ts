import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { renameIntoPlace, withTemp } from "../cache/atomic-file";
import { tempPath } from "../cache/temp-files";
import { BlobLayer } from "./blob-layer";
import { createCompressor } from "./compression";
import { DigestingStream, digestHex } from "./digest";
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
  return withTemp(tempPath(opts.dir, "layer"), async (tmp) => {
    try {
      const tar = layerTar(entries, {
        clampMtime: opts.clampMtime,
        readAhead: opts.readAhead,
        timeless: opts.timeless,
      });
      const out = fs.createWriteStream(tmp, { flags: "wx" });
      if (compression === "uncompressed") {
        await pipeline(tar, diff, out);
      } else {
        await pipeline(tar, diff, createCompressor(compression, { level: opts.level }), blob, out);
      }
    } catch (err) {
      if (err instanceof ImageError) throw err;
      throw new LayerWriteError(`write layer blob ${tmp}: ${errorMessage(err)}`, err);
    }
    const digest = compression === "uncompressed" ? diff.digest() : blob.digest();
    const size = compression === "uncompressed" ? diff.size : blob.size;
    const final = path.join(opts.dir, digestHex(digest));
    try {
      await renameIntoPlace(tmp, final);
    } catch (err) {
      throw new LayerWriteError(`rename temporary layer blob to ${final}: ${errorMessage(err)}`, err);
    }
    return new BlobLayer({
      path: final,
      digest,
      diffId: diff.digest(),
      size,
      mediaType: layerMediaType(compression, opts.mediaTypeStyle),
    });
  });
}
