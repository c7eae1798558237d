import * as fs from "node:fs";
import * as path from "node:path";
import { Readable, Transform, type TransformCallback, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { replaceAtomically } from "../cache/atomic-file";
import { sweepDestination } from "../cache/temp-files";
import { writeToDestination } from "./write-stream";
import { encodeTarHeader, END_OF_ARCHIVE, padding } from "../image/tar-header";
import { BlobSizeMismatchError, OutputWriteError } from "./errors";
import { errorMessage } from "../errors";
import { asBuffer } from "../bytes";

/**
 * One file of an image destination (oci-layout, index.json, a blob...), described before it is
 * written so the same list can go into a tar archive or a directory. `open` streams blobs
 * straight from their layer; nothing is buffered beyond small JSON documents.
 */
export interface ArchiveFile {
  /** Relative POSIX path, e.g. "blobs/sha256/<hex>". */
  path: string;
  size: number;
  open: () => Promise<Readable>;
}

export function bufferFile(p: string, data: Buffer): ArchiveFile {
  return { path: p, size: data.length, open: async () => Readable.from([data]) };
}

/** Fails the stream unless exactly `expected` bytes pass through it. */
class ExactSize extends Transform {
  private seen = 0;
  constructor(
    private readonly expected: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.expected)
      cb(
        new BlobSizeMismatchError(
          `stream ${this.what}: more than the ${this.expected} bytes its descriptor declares`,
        ),
      );
    else cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    cb(
      this.seen === this.expected
        ? null
        : new BlobSizeMismatchError(
            `stream ${this.what}: got ${this.seen} bytes, descriptor declares ${this.expected}`,
          ),
    );
  }
}

/** Parent directories of the files, each once, parents first. */
function directoriesOf(files: readonly ArchiveFile[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return [...dirs];
}

async function* tarOf(files: readonly ArchiveFile[]): AsyncGenerator<Buffer> {
  // Fixed metadata (mtime 0, root, 0644/0755) keeps archives of the same image byte-identical.
  for (const d of directoriesOf(files)) {
    yield encodeTarHeader({
      name: d + "/",
      type: "directory",
      mode: 0o755,
      uid: 0,
      gid: 0,
      size: 0,
      mtime: 0,
    });
  }
  for (const f of files) {
    yield encodeTarHeader({
      name: f.path,
      type: "file",
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: f.size,
      mtime: 0,
    });
    const check = new ExactSize(f.size, f.path);
    const src = await f.open();
    const checked = src.pipe(check);
    src.on("error", (err) => check.destroy(err));
    for await (const chunk of checked) yield asBuffer(chunk);
    yield padding(f.size);
  }
  yield END_OF_ARCHIVE;
}

/** Streams the files as a tar archive into `dest` (a path, written via temp file + rename, or a stream). */
export async function writeArchiveTar(files: readonly ArchiveFile[], dest: string | Writable): Promise<void> {
  await writeToDestination(Readable.from(tarOf(files)), dest, "archive");
}

/**
 * Writes the files under `dir` (created if missing). Blobs under "blobs/" whose file already
 * exists with the right size are kept (content-addressed names); everything else is written to
 * a temporary file and renamed into place (after removing a killed earlier export's temps).
 */
export async function writeArchiveDir(files: readonly ArchiveFile[], dir: string): Promise<void> {
  for (const f of files) {
    const target = path.join(dir, ...f.path.split("/"));
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    if (f.path.startsWith("blobs/")) {
      const st = await fs.promises.stat(target).catch(() => undefined);
      if (st?.isFile() && st.size === f.size) continue;
    }
    await sweepDestination(target);
    try {
      await replaceAtomically(target, async (tmp) =>
        pipeline(await f.open(), new ExactSize(f.size, f.path), fs.createWriteStream(tmp, { flags: "wx" })),
      );
    } catch (err) {
      if (err instanceof BlobSizeMismatchError) throw err;
      throw new OutputWriteError(`write ${target}: ${errorMessage(err)}`, err);
    }
  }
}
