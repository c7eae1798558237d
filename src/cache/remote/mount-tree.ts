import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { isRecord } from "../../guards";

/** Files at most this big are one chunk; bigger ones are cut into chunks of this size. */
export const CHUNK_SIZE = 4 * 1024 * 1024;

/** One entry of a cache mount's tree, `path` relative to the mount ("a/b", never "..", never absolute). */
export type TreeEntry =
  | { type: "dir"; path: string; mode: number; uid: number; gid: number; mtimeMs: number }
  | {
      type: "file";
      path: string;
      mode: number;
      uid: number;
      gid: number;
      mtimeMs: number;
      size: number;
      /** Content chunks in order: sha256 digests of CHUNK_SIZE pieces (the last may be shorter). */
      chunks: string[];
    }
  | { type: "symlink"; path: string; target: string; uid: number; gid: number };

/** A cache mount's content as stored (the config blob of its manifest). */
export interface MountTree {
  version: 1;
  id: string;
  /** Parents before children. */
  entries: TreeEntry[];
}

/** A file found by walking a mount, before its chunks are hashed. */
export interface WalkedFile {
  abs: string;
  entry: Extract<TreeEntry, { type: "file" }>;
}

/**
 * The mount directory's entries (dirs, regular files, symlinks; sockets, fifos and devices are
 * left out) in parent-first order, and its total file bytes. File chunks are filled in by the
 * exporter as it reads them, so each file is read once.
 */
export async function walkMount(
  root: string,
): Promise<{ entries: TreeEntry[]; files: WalkedFile[]; bytes: number }> {
  const entries: TreeEntry[] = [];
  const files: WalkedFile[] = [];
  let bytes = 0;
  const visit = async (rel: string): Promise<void> => {
    const names = (await fsp.readdir(path.join(root, rel))).sort();
    for (const name of names) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const abs = path.join(root, r);
      const st = await fsp.lstat(abs);
      const owner = { uid: st.uid, gid: st.gid };
      if (st.isDirectory()) {
        entries.push({ type: "dir", path: r, mode: st.mode & 0o7777, ...owner, mtimeMs: st.mtimeMs });
        await visit(r);
      } else if (st.isFile()) {
        const entry = {
          type: "file" as const,
          path: r,
          mode: st.mode & 0o7777,
          ...owner,
          mtimeMs: st.mtimeMs,
          size: st.size,
          chunks: [],
        };
        entries.push(entry);
        files.push({ abs, entry });
        bytes += st.size;
      } else if (st.isSymbolicLink()) {
        entries.push({ type: "symlink", path: r, target: await fsp.readlink(abs), ...owner });
      }
    }
  };
  await visit("");
  return { entries, files, bytes };
}

/**
 * Parses a stored tree, refusing anything a restore could be tricked by: paths that are absolute,
 * contain "." or ".." components, repeat, or whose parent is not a directory entry of the tree
 * (so no write goes through a restored symlink).
 */
export function parseMountTree(bytes: Buffer): MountTree | undefined {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isRecord(v) || v.version !== 1 || typeof v.id !== "string" || !Array.isArray(v.entries))
    return undefined;
  const dirs = new Set<string>([""]);
  const seen = new Set<string>();
  const entries: TreeEntry[] = [];
  for (const e of v.entries) {
    if (!isRecord(e) || typeof e.path !== "string") return undefined;
    const p = e.path;
    const parts = p.split("/");
    if (p === "" || parts.some((c) => c === "" || c === "." || c === "..") || seen.has(p)) return undefined;
    if (!dirs.has(parts.slice(0, -1).join("/"))) return undefined;
    seen.add(p);
    if (!isInt(e.uid) || !isInt(e.gid)) return undefined;
    if (e.type === "dir" && isInt(e.mode) && typeof e.mtimeMs === "number") {
      dirs.add(p);
      entries.push({ type: "dir", path: p, mode: e.mode, uid: e.uid, gid: e.gid, mtimeMs: e.mtimeMs });
    } else if (
      e.type === "file" &&
      isInt(e.mode) &&
      typeof e.mtimeMs === "number" &&
      isInt(e.size) &&
      Array.isArray(e.chunks) &&
      e.chunks.every((c) => typeof c === "string" && /^sha256:[a-f0-9]{64}$/.test(c)) &&
      e.chunks.length === Math.ceil(e.size / CHUNK_SIZE)
    ) {
      entries.push({
        type: "file",
        path: p,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        mtimeMs: e.mtimeMs,
        size: e.size,
        // Cast: every() above checked each element is a digest string.
        chunks: e.chunks as string[],
      });
    } else if (e.type === "symlink" && typeof e.target === "string") {
      entries.push({ type: "symlink", path: p, target: e.target, uid: e.uid, gid: e.gid });
    } else return undefined;
  }
  return { version: 1, id: v.id, entries };
}

/** The size of chunk `i` of a file of `size` bytes. */
export function chunkSize(size: number, i: number): number {
  return Math.min(CHUNK_SIZE, size - i * CHUNK_SIZE);
}

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
