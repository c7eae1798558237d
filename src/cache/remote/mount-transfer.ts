import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { Readable } from "node:stream";
import pLimit from "p-limit";
import { renameIntoPlace, withTemp } from "../atomic-file";
import type { CacheMounts } from "../cache-mounts";
import { sha256Digest } from "../digest";
import { isErrno } from "../errors";
import { tempPath } from "../temp-files";
import { MAX_MANIFEST_BYTES } from "../../registry/manifest-fetch";
import { MediaType } from "../../image/media-types";
import { isRecord } from "../../guards";
import { asBuffer } from "../../bytes";
import { ArtifactType, MOUNT_ANNOTATION, mountTag, type Descriptor } from "./artifacts";
import type { CacheBackend } from "./backend";
import {
  CHUNK_SIZE,
  chunkSize,
  parseMountTree,
  walkMount,
  type MountTree,
  type TreeEntry,
} from "./mount-tree";

/** Default `cache-mounts-max-size`: a mount bigger than this is not exported. */
export const DEFAULT_MOUNT_MAX_SIZE = 1024 * 1024 * 1024;
const MAX_TREE_BYTES = 256 * 1024 * 1024;

export interface MountExport {
  id: string;
  /** Why nothing was exported: no such mount on this machine, or over the size limit. */
  skipped?: "absent" | "too-large" | "too-many-chunks";
  files: number;
  bytes: number;
  /** Unique content chunks the tree references. */
  chunks: number;
  /** Chunks written this time (the rest the cache already had), by digest. */
  uploadedChunks: string[];
}

/**
 * Exports cache mount `id` as a tree (paths, modes, owners, times) whose file contents are
 * content-addressed chunks: a file up to CHUNK_SIZE is one chunk (its own sha256), a bigger one
 * fixed CHUNK_SIZE pieces. Chunks the previous export of the mount listed, or the cache has (one
 * HEAD), are not uploaded again, so changing one file uploads that file's chunk(s), the tree and
 * the manifest. Each file is read once; at most `concurrency` chunks are in memory.
 */
export async function exportMount(
  backend: CacheBackend,
  mounts: CacheMounts,
  id: string,
  opts: { maxSize?: number; concurrency?: number } = {},
): Promise<MountExport> {
  const dir = mounts.path(id);
  const result: MountExport = { id, files: 0, bytes: 0, chunks: 0, uploadedChunks: [] };
  const st = await fsp.lstat(dir).catch(() => undefined);
  if (st?.isDirectory() !== true) return { ...result, skipped: "absent" };
  const walked = await walkMount(dir);
  result.files = walked.files.length;
  result.bytes = walked.bytes;
  if (walked.bytes > (opts.maxSize ?? DEFAULT_MOUNT_MAX_SIZE)) return { ...result, skipped: "too-large" };
  const tag = mountTag(backend.scope, id);
  const known = new Set(await previousChunks(backend, tag));
  const sizes = new Map<string, number>();
  const limit = pLimit(opts.concurrency ?? 4);
  const inflight = new Map<string, Promise<boolean>>();
  await Promise.all(
    walked.files.map((f) =>
      limit(async () => {
        const fh = await fsp.open(f.abs, "r");
        try {
          for (let i = 0; i * CHUNK_SIZE < f.entry.size; i++) {
            const want = chunkSize(f.entry.size, i);
            const buf = Buffer.alloc(want);
            const { bytesRead } = await fh.read(buf, 0, want, i * CHUNK_SIZE);
            // A file that shrank while read is stored as read: the tree says what was exported.
            const chunk = bytesRead === want ? buf : buf.subarray(0, bytesRead);
            const digest = sha256Digest(chunk);
            f.entry.chunks.push(digest);
            sizes.set(digest, chunk.length);
            if (bytesRead < want) {
              f.entry.size = i * CHUNK_SIZE + bytesRead;
              break;
            }
            if (known.has(digest)) continue;
            let p = inflight.get(digest);
            if (!p) {
              p = backend.putBlob({ digest, size: chunk.length, open: async () => Readable.from([chunk]) });
              inflight.set(digest, p);
              if (await p) result.uploadedChunks.push(digest);
            } else await p;
          }
        } finally {
          await fh.close();
        }
      }),
    ),
  );
  const tree: MountTree = { version: 1, id, entries: walked.entries };
  const treeBytes = Buffer.from(JSON.stringify(tree));
  const treeDigest = sha256Digest(treeBytes);
  const layers: Descriptor[] = [...sizes].map(([digest, size]) => ({
    mediaType: ArtifactType.chunk,
    digest,
    size,
  }));
  result.chunks = layers.length;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: ArtifactType.mountTree,
      config: { mediaType: ArtifactType.mountTree, digest: treeDigest, size: treeBytes.length },
      layers,
      annotations: { [MOUNT_ANNOTATION]: id },
    }),
  );
  if (manifest.length > MAX_MANIFEST_BYTES) return { ...result, skipped: "too-many-chunks" };
  await backend.putBlob({
    digest: treeDigest,
    size: treeBytes.length,
    open: async () => Readable.from([treeBytes]),
  });
  const desc = await backend.putManifest(tag, manifest, MediaType.ociManifest);
  await backend.updateIndex([
    {
      ...desc,
      artifactType: ArtifactType.mountTree,
      annotations: { ...desc.annotations, [MOUNT_ANNOTATION]: id },
    },
  ]);
  return result;
}

/** The chunk digests the mount's current manifest lists (they are in the cache: the manifest holds them). */
async function previousChunks(backend: CacheBackend, tag: string): Promise<string[]> {
  const found = await backend.getManifest(tag);
  const m = found ? parseJson(found.bytes) : undefined;
  if (!isRecord(m) || m.artifactType !== ArtifactType.mountTree || !Array.isArray(m.layers)) return [];
  return m.layers.flatMap((l) => (isRecord(l) && typeof l.digest === "string" ? [l.digest] : []));
}

export interface MountRestore {
  id: string;
  from: string;
  files: number;
  bytes: number;
  /** Wall time of the restore (manifest, tree, chunks, metadata, rename). */
  durationMs: number;
}

/** Owner of a restored mount's top directory, as the RUN's --mount options give it. */
export interface MountOwner {
  mode?: number | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
}

/**
 * Restores cache mount `id` from the first backend that has it, when this machine has no such
 * mount yet: the tree is rebuilt in a temp dir beside the mounts (every chunk verified while it
 * is written) and renamed into place, so a step sees the whole restored mount or none (a
 * concurrent restore or checkout that got there first is kept). Undefined when no backend has it.
 */
export async function restoreMount(
  backends: readonly CacheBackend[],
  mounts: CacheMounts,
  id: string,
  owner: MountOwner = {},
  opts: { concurrency?: number } = {},
): Promise<MountRestore | undefined> {
  const started = Date.now();
  const dest = mounts.path(id);
  if (
    await fsp.lstat(dest).then(
      () => true,
      () => false,
    )
  )
    return undefined;
  for (const backend of backends) {
    const found = await backend.getManifest(mountTag(backend.scope, id));
    if (!found) continue;
    const m = parseJson(found.bytes);
    if (!isRecord(m) || m.artifactType !== ArtifactType.mountTree || !isRecord(m.config)) continue;
    const { digest, size } = m.config;
    if (typeof digest !== "string" || typeof size !== "number" || size > MAX_TREE_BYTES) continue;
    const tree = parseMountTree(await readAll(await backend.openBlob({ digest, size })));
    if (!tree || tree.id !== id) continue;
    await fsp.mkdir(mounts.dir, { recursive: true });
    let bytes = 0;
    const placed = await withTemp(tempPath(mounts.dir, path.basename(dest)), async (tmp) => {
      await fsp.mkdir(tmp, { mode: 0o700 });
      for (const e of tree.entries) {
        if (e.type === "dir") await fsp.mkdir(path.join(tmp, e.path), { mode: 0o700 });
        else if (e.type === "symlink") await fsp.symlink(e.target, path.join(tmp, e.path));
      }
      const limit = pLimit(opts.concurrency ?? 8);
      await Promise.all(
        tree.entries.map((e) =>
          limit(async () => {
            if (e.type !== "file") return;
            await writeFile(backend, path.join(tmp, e.path), e);
            bytes += e.size;
          }),
        ),
      );
      // Owners, modes and times last, children before parents (writing into a dir changes its mtime).
      for (const e of [...tree.entries].reverse()) await applyMetadata(path.join(tmp, e.path), e);
      await fsp.chown(tmp, owner.uid ?? 0, owner.gid ?? 0);
      await fsp.chmod(tmp, owner.mode ?? 0o755);
      return renameIntoPlace(tmp, dest, { keepExisting: true });
    });
    if (!placed) return undefined;
    const files = tree.entries.filter((e) => e.type === "file").length;
    return { id, from: backend.name, files, bytes, durationMs: Date.now() - started };
  }
  return undefined;
}

async function writeFile(
  backend: CacheBackend,
  file: string,
  e: Extract<TreeEntry, { type: "file" }>,
): Promise<void> {
  const fh = await fsp.open(file, "wx", 0o600);
  try {
    for (const [i, digest] of e.chunks.entries()) {
      const stream = await backend.openBlob({ digest, size: chunkSize(e.size, i) });
      for await (const c of stream) await fh.write(asBuffer(c));
    }
  } finally {
    await fh.close();
  }
}

async function applyMetadata(file: string, e: TreeEntry): Promise<void> {
  try {
    await fsp.lchown(file, e.uid, e.gid);
  } catch (err) {
    // Rootless: ids outside the user namespace's map stay the restorer's.
    if (!isErrno(err, "EINVAL") && !isErrno(err, "EPERM")) throw err;
  }
  if (e.type === "symlink") return;
  await fsp.chmod(file, e.mode);
  const t = new Date(e.mtimeMs);
  await fsp.utimes(file, t, t);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(asBuffer(c));
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}
