import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { writeFileAtomic } from "./atomic-file";
import { BlobStore } from "./blob-store";
import type { CacheStore } from "./cache-store";
import { CacheError, isErrno } from "./errors";
import { type StepRecord, parseStepRecord } from "./step-record";
import { errorMessage } from "../errors";
import { isRecord } from "../guards";

/**
 * Cache export/import for CI (`--cache-to type=local,dest=DIR`, `--cache-from type=local,src=DIR`).
 *
 * Format of DIR (an OCI-layout-shaped directory, so its blobs can be inspected with OCI tools):
 *
 *   DIR/oci-layout               {"imageLayoutVersion":"1.0.0"}
 *   DIR/blobs/sha256/<hex>       the layer blobs the records reference
 *   DIR/tsbuild-cache.json       {"version":1,"records":[StepRecord, ...]}
 *
 * Export writes the blobs first (each through the same verified, atomic put as the store) and the
 * records file last, atomically, so an interrupted export never lists a record without its blob.
 * Exporting into an existing DIR merges: the new records replace same-key ones, others are kept.
 * Import verifies every blob's digest and size while copying it in; if any blob is missing or
 * tampered with, import rejects (BLOB_DIGEST_MISMATCH / BLOB_SIZE_MISMATCH / CACHE_EXPORT_INVALID)
 * before writing any record. Records already in the store are kept as they are.
 */
export const CACHE_EXPORT_FILE = "tsbuild-cache.json";

export interface ExportResult {
  records: number;
  blobs: number;
  bytes: number;
}

/** Exports the records for `keys` (all records when undefined) and their blobs into `destDir`. */
export async function exportCache(
  store: CacheStore,
  keys: Iterable<string> | undefined,
  destDir: string,
): Promise<ExportResult> {
  const records: StepRecord[] = [];
  if (keys === undefined) {
    for (const { record } of await store.records.list()) records.push(record);
  } else {
    for (const key of keys) {
      const record = await store.records.get(key, { touch: false });
      if (record) records.push(record);
    }
  }
  const dest = await BlobStore.open(destDir);
  await writeFileAtomic(
    path.join(destDir, "oci-layout"),
    `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}\n`,
  );
  const result: ExportResult = { records: 0, blobs: 0, bytes: 0 };
  const exported: StepRecord[] = [];
  for (const record of records) {
    if (record.layer) {
      const { digest, size } = record.layer;
      const present = await dest.stat(digest);
      if (!present || present.size !== size) {
        let source: Readable;
        try {
          source = await store.blobs.open(digest);
        } catch {
          continue; // the blob vanished (pruned or evicted): skip the record rather than export it broken
        }
        await dest.put(source, { digest, size });
        result.blobs++;
        result.bytes += size;
      }
    }
    exported.push(record);
  }
  const merged = new Map((await readExport(destDir, true)).map((r) => [r.key, r]));
  for (const r of exported) merged.set(r.key, r);
  await writeFileAtomic(
    path.join(destDir, CACHE_EXPORT_FILE),
    `${JSON.stringify({ version: 1, records: [...merged.values()] })}\n`,
  );
  result.records = exported.length;
  return result;
}

export interface ImportResult {
  /** Records added to the store. */
  records: number;
  /** Blobs copied in (verified). */
  blobs: number;
  bytes: number;
  /** Records skipped because the store already had one for the key. */
  existing: number;
}

/** Imports every record of an exported directory into `store`, verifying each blob. */
export async function importCache(srcDir: string, store: CacheStore): Promise<ImportResult> {
  const records = await readExport(srcDir, false);
  const src = path.join(srcDir, "blobs", "sha256");
  const result: ImportResult = { records: 0, blobs: 0, bytes: 0, existing: 0 };
  // Blobs first, all verified, so a tampered export writes no record at all.
  const fresh: StepRecord[] = [];
  for (const record of records) {
    if (await store.records.get(record.key, { touch: false })) {
      result.existing++;
      continue;
    }
    fresh.push(record);
    if (!record.layer || (await store.blobs.has(record.layer.digest))) continue;
    const { digest, size } = record.layer;
    const file = path.join(src, digest.slice("sha256:".length));
    try {
      await fsp.access(file);
    } catch {
      throw new CacheError(
        "CACHE_EXPORT_INVALID",
        `import cache from ${srcDir}: blob ${digest} of record ${JSON.stringify(record.key)} is missing`,
      );
    }
    await store.blobs.put(fs.createReadStream(file), { digest, size });
    result.blobs++;
    result.bytes += size;
  }
  const now = new Date().toISOString();
  for (const record of fresh) {
    // Imported records count as used now, so the next prune --filter until=... keeps them.
    await store.records.put({ ...record, lastUsedAt: now });
    result.records++;
  }
  return result;
}

async function readExport(dir: string, missingOk: boolean): Promise<StepRecord[]> {
  const file = path.join(dir, CACHE_EXPORT_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (err) {
    if (missingOk && isErrno(err, "ENOENT")) return [];
    throw new CacheError("CACHE_EXPORT_INVALID", `read cache export ${file}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CacheError("CACHE_EXPORT_INVALID", `parse cache export ${file}: ${errorMessage(err)}`);
  }
  const p = parsed;
  if (!isRecord(p) || p.version !== 1 || !Array.isArray(p.records)) {
    throw new CacheError(
      "CACHE_EXPORT_INVALID",
      `parse cache export ${file}: not a version 1 tsbuild cache export`,
    );
  }
  return p.records.map((r, i) => {
    const record = parseStepRecord(JSON.stringify(r));
    if (!record)
      throw new CacheError("CACHE_EXPORT_INVALID", `parse cache export ${file}: record ${i} is malformed`);
    return record;
  });
}
