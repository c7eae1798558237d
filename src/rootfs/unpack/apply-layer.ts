/**
 * applyLayer: stream an uncompressed layer tar onto a directory.
 *
 * Contract: nothing is ever created or modified outside `targetDir`, whatever the tar holds (entry
 * names are cleaned and contained, symlinks are resolved inside the root, see ../resolve.ts).
 * A failed apply rejects with an UnpackError and may leave `targetDir` partly written: callers that
 * need all-or-nothing unpack into a fresh temporary directory and rename it into place on success.
 * The source stream is consumed to its end on success and destroyed on failure; no write is
 * still running when the promise settles.
 *
 * The target should be private to this call while it runs (a build's own directory): resolution is
 * not atomic against other processes changing the same tree at the same time.
 */
import type { Readable } from "node:stream";
import * as tarStream from "tar-stream";
import { RootResolver } from "../dir-resolver";
import { LayerApplier } from "./applier";
import type { TarHeader } from "./applier";
import { RootfsError } from "../errors";
import { UnpackError } from "./errors";
import { resolveApplyOptions } from "./options";
import { installRawPaxXattrs } from "./pax-raw";
import type { ApplyOptions, ApplyStats } from "./options";

export async function applyLayer(
  tar: Readable,
  targetDir: string,
  options?: ApplyOptions,
): Promise<ApplyStats> {
  const opts = resolveApplyOptions(options);
  installRawPaxXattrs();
  // Listen for source errors before the first await: a stream failing meanwhile (a truncated
  // gzip) would otherwise throw as uncaught and leave the extraction below waiting forever.
  let early: Error | undefined;
  const onEarlyError = (err: Error): void => {
    early = err;
  };
  tar.on("error", onEarlyError);
  let root: RootResolver;
  try {
    root = await RootResolver.open(targetDir);
  } finally {
    tar.off("error", onEarlyError);
  }
  if (early !== undefined || tar.errored) {
    tar.destroy();
    throw asUnpackError(early ?? tar.errored, targetDir);
  }
  const applier = new LayerApplier(root, opts);
  const extract = tarStream.extract();
  // The entry being applied must fail too: destroying the extractor alone leaves a reader of
  // that entry waiting forever (a gzip cut short inside a file's data).
  let current: { destroy(err?: Error): void } | undefined;
  const onSourceError = (err: Error): void => {
    current?.destroy(err);
    extract.destroy(err);
  };
  tar.on("error", onSourceError);
  tar.pipe(extract);
  try {
    for await (const entry of extract) {
      current = entry;
      // tar-stream's Headers type lacks the pax fields it sets; TarHeader declares them.
      await applier.apply(entry.header as TarHeader, entry);
      entry.resume();
      current = undefined;
    }
    await applier.finish();
    return applier.stats;
  } catch (err) {
    tar.unpipe(extract);
    tar.destroy();
    extract.destroy();
    throw asUnpackError(err, targetDir);
  } finally {
    tar.off("error", onSourceError);
  }
}

/** tar-stream and source-stream failures become UNPACK_BAD_TAR; ours pass through. */
function asUnpackError(err: unknown, targetDir: string): UnpackError | RootfsError {
  if (err instanceof UnpackError || err instanceof RootfsError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new UnpackError("UNPACK_BAD_TAR", `read layer tar for ${targetDir}: ${detail}`, undefined, {
    cause: err,
  });
}
