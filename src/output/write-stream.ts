import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

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
