import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { tempPath } from "./temp-files";

/**
 * Small metadata files (records, index.json) are replaced atomically: write a temp file in the
 * same directory, fsync it, rename over the target, fsync the directory. A reader sees either the
 * old or the new content, never a torn file, even across a crash.
 *
 * `durable: false` skips both fsyncs (~10 ms each here): for files whose loss or emptiness after a
 * power cut is harmless because readers treat an unparsable file as absent (step records).
 */
export async function writeFileAtomic(
  file: string,
  data: string | Buffer,
  options: { durable?: boolean } = {},
): Promise<void> {
  const durable = options.durable ?? true;
  const dir = path.dirname(file);
  const tmp = tempPath(dir);
  try {
    const fh = await fsp.open(tmp, "wx", 0o644);
    try {
      await fh.writeFile(data);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  if (durable) await fsyncDir(dir);
}

/** Makes a rename/unlink in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
