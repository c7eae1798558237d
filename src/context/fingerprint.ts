import { createHash } from "node:crypto";
import type { ContextFile } from "./context-file";

/**
 * Digests of a selection's chunks that the caller already knows (the selection memo), and where
 * to put the ones computed. Chunk `i` is files[bounds[i]] up to files[bounds[i + 1]] of
 * chunkBounds(files).
 */
export interface KnownChunks {
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
  const bounds = chunkBounds(files);
  const digests: string[] = new Array<string>(bounds.length - 1);
  const missing: number[] = [];
  for (let c = 0; c + 1 < bounds.length; c++) {
    const known = chunks?.known(c);
    if (known !== undefined) digests[c] = known;
    else missing.push(c);
  }
  const hashes: (string | undefined)[] = new Array<string | undefined>(files.length);
  const pending: Promise<void>[] = [];
  for (const c of missing) {
    for (let i = bounds[c]; i < bounds[c + 1]; i++) {
      const f = files[i];
      if (f.type !== "file") continue;
      const known = f.knownContentHash?.();
      if (known !== undefined) hashes[i] = known;
      else pending.push(f.contentHash().then((h) => void (hashes[i] = h)));
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
 * so the same selection always splits the same way, and an added or removed file moves the
 * boundaries of its own directory's chunk at most (they fall where the directory changes).
 */
export function chunkBounds(files: readonly ContextFile[]): number[] {
  const bounds = [0];
  let start = 0;
  let parent = files.length > 0 ? parentOf(files[0].path) : "";
  for (let i = 1; i < files.length; i++) {
    const p = parentOf(files[i].path);
    const size = i - start;
    if ((size >= CHUNK_FILES && p !== parent) || size >= CHUNK_MAX_FILES) {
      bounds.push(i);
      start = i;
    }
    parent = p;
  }
  bounds.push(files.length);
  return bounds;
}

function parentOf(p: string): string {
  return p.slice(0, Math.max(0, p.lastIndexOf("/")));
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
