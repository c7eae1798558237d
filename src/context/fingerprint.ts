import { createHash } from "node:crypto";
import type { ContextFile } from "./context-file";

/**
 * Digests of a selection's chunks that the caller already knows (the selection memo), and where
 * to put the ones computed. Chunk `i` is files[bounds[i]] up to files[bounds[i + 1]].
 */
export interface KnownChunks {
  /** chunkBounds(files), which the caller needed for its keys too. */
  readonly bounds: readonly number[];
  known(chunk: number): string | undefined;
  computed(chunk: number, digest: string): void;
}

/**
 * The cache-key fingerprint of a selection of context files. One record per file of [source
 * index, type, destination-relative path, mode, content hash | link target | device numbers], in
 * walk order, with the file's xattrs when it has any (COPY carries them into the layer); the
 * records are hashed in chunks (chunkBounds) and the fingerprint is sha256 over the chunks'
 * digests, so a rebuild that finds one file touched re-derives one chunk, not 20,000 records.
 * Deliberately absent: mtimes, owners (COPY sets them) and absolute host paths, so touching files
 * or moving the context directory keeps the key.
 */
export async function fingerprintFiles(files: readonly ContextFile[], chunks?: KnownChunks): Promise<string> {
  const bounds = chunks?.bounds ?? chunkBounds(files);
  const digests: string[] = new Array<string>(bounds.length - 1);
  const missing: number[] = [];
  for (let c = 0; c + 1 < bounds.length; c++) {
    const known = chunks?.known(c);
    if (known !== undefined) digests[c] = known;
    else missing.push(c);
  }
  const hashes: (string | undefined)[] = new Array<string | undefined>(files.length);
  // At most HASH_BATCH hashes in flight: starting all at once held a promise, a closure and a
  // pending read per file (200,000 files: ~100 MB of heap at once) and blocked the event loop
  // for the whole read.
  let pending: Promise<void>[] = [];
  for (const c of missing) {
    for (let i = bounds[c]; i < bounds[c + 1]; i++) {
      const f = files[i];
      if (f.type !== "file") continue;
      const known = f.knownContentHash?.();
      if (known !== undefined) hashes[i] = known;
      else pending.push(f.contentHash().then((h) => void (hashes[i] = h)));
      if (pending.length >= HASH_BATCH) {
        await Promise.all(pending);
        pending = [];
      }
    }
  }
  await Promise.all(pending);
  for (const c of missing) {
    const lines: string[] = [];
    for (let i = bounds[c]; i < bounds[c + 1]; i++) {
      lines.push(fileRecord(files[i], hashes[i]));
    }
    lines.push("");
    const digest = createHash("sha256").update(lines.join("\n")).digest("hex");
    digests[c] = digest;
    chunks?.computed(c, digest);
  }
  const text = ["tsbuild-context-fingerprint-v2", ...digests, ""].join("\n");
  return "sha256:" + createHash("sha256").update(text).digest("hex");
}

/** Content hashes started before waiting for them (ContentHasher limits the parallel reads). */
const HASH_BATCH = 1024;

/** One file's line of its chunk (JSON: no newline inside). */
function fileRecord(f: ContextFile, hash: string | undefined): string {
  let detail: string | number[] = "";
  // contentHash() is a string for every regular file.
  if (f.type === "file") detail = hash as string;
  else if (f.type === "symlink") detail = f.linkTarget ?? "";
  else if (f.devmajor !== undefined) detail = [f.devmajor, f.devminor ?? 0];
  const record = JSON.stringify([f.source, f.type, f.path, f.mode, detail]);
  const xattrs = f.xattrSummary !== undefined ? f.xattrSummary() : xattrSummary(f.xattrs?.());
  // The summary as a sixth element: the same text as JSON.stringify of the record with it.
  return xattrs === "" ? record : `${record.slice(0, -1)},${xattrs}]`;
}

/** A chunk has at least this many files and ends where the parent directory changes... */
const CHUNK_FILES = 256;
/** ...or at this many, in one big directory. */
const CHUNK_MAX_FILES = 2048;

/**
 * Where the fingerprint's chunks start, with files.length last: a function of the paths only,
 * so the same selection always splits the same way. Boundaries fall where the directory changes,
 * and an added or removed file mostly re-derives its own chunk only (inside a directory of more
 * than CHUNK_MAX_FILES files, the rest of that directory's chunks too).
 */
export function chunkBounds(files: readonly ContextFile[]): number[] {
  const bounds = [0];
  let start = 0;
  for (let i = 1; i < files.length; i++) {
    const size = i - start;
    // Parents are compared only where a chunk may end (most files are not such a place).
    if (size >= CHUNK_MAX_FILES || (size >= CHUNK_FILES && !sameParent(files[i - 1].path, files[i].path))) {
      bounds.push(i);
      start = i;
    }
  }
  bounds.push(files.length);
  return bounds;
}

function sameParent(a: string, b: string): boolean {
  const slash = a.lastIndexOf("/");
  return slash === b.lastIndexOf("/") && (slash < 0 || b.startsWith(a.slice(0, slash)));
}

/**
 * What a fingerprint records of a file's xattrs: JSON of [name, sha256 hex of the value] pairs
 * sorted by name; "" when it has none. The stat cache keeps it, so unchanged files are not listed.
 */
export function xattrSummary(xattrs: Record<string, Buffer> | undefined): string {
  if (xattrs === undefined) return "";
  return JSON.stringify(
    Object.keys(xattrs)
      .sort()
      .map((k) => [k, createHash("sha256").update(xattrs[k]).digest("hex")]),
  );
}
