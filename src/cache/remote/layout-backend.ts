import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { Readable as ReadableStream, addAbortSignal } from "node:stream";
import { writeFileAtomic } from "../atomic-file";
import { BlobStore } from "../blob-store";
import { sha256Digest } from "../digest";
import { CacheError, isErrno } from "../errors";
import { StoreLock } from "../store-lock";
import { MediaType } from "../../image/media-types";
import { errorMessage } from "../../errors";
import { REF_NAME_ANNOTATION, mergeIndex, parseIndex, type Descriptor, type OciIndex } from "./artifacts";
import { emptyStats, type BlobSource, type CacheBackend } from "./backend";

/**
 * A remote cache as an OCI image layout directory (`--cache-to type=local,dest=DIR`): the same
 * manifests as in a registry, `blobs/sha256/<hex>` for their blobs, and `index.json` naming
 * each by its tag (`org.opencontainers.image.ref.name`), so `skopeo inspect oci:DIR:step-…`
 * reads a record. index.json is the shared index: updated under `index.json.lock` (a StoreLock:
 * exclusive across processes, broken when its holder died) by read-merge-rename, so concurrent
 * writers never lose each other's entries; readers see the old or the new file.
 */
export class LayoutBackend implements CacheBackend {
  readonly name: string;
  readonly scope = "";
  readonly stats = emptyStats();
  private blobStore: Promise<BlobStore> | undefined;

  constructor(readonly dir: string) {
    this.name = `cache dir ${dir}`;
  }

  private blobs(): Promise<BlobStore> {
    this.blobStore ??= (async () => {
      await fsp.mkdir(this.dir, { recursive: true });
      const store = await BlobStore.open(this.dir);
      const layout = path.join(this.dir, "oci-layout");
      if (!(await exists(layout)))
        await writeFileAtomic(layout, `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}\n`);
      return store;
    })();
    return this.blobStore;
  }

  /** Fails (CACHE_IO / CACHE_EXPORT_INVALID) unless the directory reads as an OCI layout or an empty one. */
  async check(): Promise<void> {
    const st = await fsp.stat(this.dir);
    if (!st.isDirectory()) throw new CacheError("CACHE_EXPORT_INVALID", `${this.name}: not a directory`);
    await this.readIndex();
  }

  private async readIndex(): Promise<OciIndex | undefined> {
    const file = path.join(this.dir, "index.json");
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(file);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw new CacheError("CACHE_IO", `read ${file}: ${errorMessage(err)}`, { cause: err });
    }
    const index = parseIndex(bytes);
    if (!index) throw new CacheError("CACHE_EXPORT_INVALID", `read ${file}: not an OCI image index`);
    return index;
  }

  async getManifest(tag: string): Promise<{ digest: string; bytes: Buffer } | undefined> {
    this.stats.lookups++;
    const index = await this.readIndex();
    const desc = index?.manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag);
    if (!desc) return undefined;
    const blobs = await this.blobs();
    if (!(await blobs.has(desc.digest))) return undefined;
    const chunks: Buffer[] = [];
    // Cast: a file ReadStream without an encoding yields Buffers.
    for await (const c of await blobs.open(desc.digest)) chunks.push(c as Buffer);
    return { digest: desc.digest, bytes: Buffer.concat(chunks) };
  }

  async putManifest(tag: string, bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const digest = sha256Digest(bytes);
    await (await this.blobs()).put(ReadableStream.from([bytes]), { digest, size: bytes.length });
    const desc: Descriptor = {
      mediaType,
      digest,
      size: bytes.length,
      annotations: { [REF_NAME_ANNOTATION]: tag },
    };
    await this.updateIndex([desc]);
    return desc;
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await this.blobs()).has(digest);
  }

  async putBlob(blob: BlobSource): Promise<boolean> {
    const blobs = await this.blobs();
    const present = await blobs.stat(blob.digest);
    if (present && present.size === blob.size) {
      this.stats.skipped++;
      return false;
    }
    await blobs.put(await blob.open(), { digest: blob.digest, size: blob.size });
    this.stats.uploaded.push(blob.digest);
    this.stats.bytesUploaded += blob.size;
    return true;
  }

  async fetchBlob(
    desc: { digest: string; size: number },
    store: BlobStore,
    signal?: AbortSignal,
  ): Promise<void> {
    const source = await this.openBlob(desc);
    await store.put(signal ? addAbortSignal(signal, source) : source, desc);
  }

  async openBlob(desc: { digest: string; size: number }): Promise<Readable> {
    const blobs = await this.blobs();
    const st = await blobs.stat(desc.digest);
    if (!st || st.size !== desc.size)
      throw new CacheError(
        "CACHE_EXPORT_INVALID",
        `${this.name}: blob ${desc.digest} is missing or truncated`,
      );
    this.stats.downloaded++;
    this.stats.bytesDownloaded += desc.size;
    return blobs.open(desc.digest); // verified at its end
  }

  async updateIndex(added: readonly Descriptor[]): Promise<void> {
    if (added.length === 0) return;
    await this.blobs();
    const lock = new StoreLock(path.join(this.dir, "index.json.lock"), { timeoutMs: 60_000 });
    await lock.withLock(async () => {
      const base = (await this.readIndex()) ?? {
        schemaVersion: 2 as const,
        mediaType: MediaType.ociIndex,
        manifests: [],
      };
      await writeFileAtomic(
        path.join(this.dir, "index.json"),
        `${JSON.stringify(mergeIndex(base, added))}\n`,
      );
    });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}
