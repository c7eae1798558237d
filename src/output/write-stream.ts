import { once } from "node:events";
import * as fs from "node:fs";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { replaceAtomically } from "../cache/atomic-file";
import { sweepDestination } from "../cache/temp-files";
import { OutputError, OutputWriteError } from "./errors";
import { errorMessage } from "../errors";

/**
 * Streams `source` into `dest`. A caller's stream is ended like pipeline() does; stdout and
 * stderr are written without pipeline(), which would leave a 'close' listener on them per call
 * (and can tear the stdout pipe down): an in-process caller may export to stdout many times.
 */
export async function writeInto(source: Readable, dest: Writable): Promise<void> {
  if (dest !== process.stdout && dest !== process.stderr) {
    await pipeline(source, dest);
    return;
  }
  try {
    for await (const chunk of source) {
      if (!dest.write(chunk)) await once(dest, "drain");
    }
  } catch (err) {
    source.destroy();
    throw err;
  }
}

/**
 * Streams `source` into `dest`: a caller's stream (see writeInto), or a path written through a
 * temporary file renamed into place, so a failed export never leaves a partial file at `dest`;
 * the temp files of an earlier export to `dest` that was killed are removed first.
 * Output errors (a blob of the wrong size) pass through; others become OutputWriteError naming
 * `what` and the path.
 */
export async function writeToDestination(
  source: Readable,
  dest: string | Writable,
  what: string,
): Promise<void> {
  if (typeof dest !== "string") {
    await writeInto(source, dest);
    return;
  }
  try {
    if (await isSpecialFile(dest)) {
      // A device, FIFO or socket (`dest=/dev/null`, a named pipe) is written in place, as docker
      // does: renaming a temp file over it would replace the host's /dev/null with a regular file.
      await pipeline(source, fs.createWriteStream(dest, { flags: "w" }));
      return;
    }
    await sweepDestination(dest);
    await replaceAtomically(dest, (tmp) => pipeline(source, fs.createWriteStream(tmp, { flags: "wx" })));
  } catch (err) {
    if (err instanceof OutputError) throw err;
    throw new OutputWriteError(`write ${what} ${dest}: ${errorMessage(err)}`, err);
  }
}

/** True when `dest` exists (through symlinks) and is neither a regular file nor a directory. */
async function isSpecialFile(dest: string): Promise<boolean> {
  const st = await fs.promises.stat(dest).catch(() => undefined);
  return st !== undefined && !st.isFile() && !st.isDirectory();
}
