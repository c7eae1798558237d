import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import pLimit from "p-limit";
import { MediaType } from "../../image/media-types";
import type { StepRecord } from "../step-record";
import {
  ArtifactType,
  EMPTY_DIGEST,
  EMPTY_JSON,
  KEY_ANNOTATION,
  parseStepManifest,
  stepManifest,
  stepTag,
  type Descriptor,
} from "./artifacts";
import type { CacheBackend } from "./backend";

/** A record found in a remote cache, and the cache that holds its layer blob. */
export interface RemoteRecord {
  record: StepRecord;
  backend: CacheBackend;
}

/** The first of `backends` (in --cache-from order) with a usable record for `key`: one manifest read each. */
export async function lookupStep(
  backends: readonly CacheBackend[],
  key: string,
): Promise<RemoteRecord | undefined> {
  for (const backend of backends) {
    const found = await backend.getManifest(stepTag(key));
    if (!found) continue;
    const record = parseStepManifest(found.bytes, key);
    if (record) return { record, backend };
  }
  return undefined;
}

/** A record to export, and how to read its layer blob if the destination lacks it. */
export interface ExportItem {
  record: StepRecord;
  openLayer?: () => Promise<Readable>;
}

/**
 * Writes each record as its own step artifact: the layer blob first (skipped when present), then
 * the manifest under the record's tag, then one merge of the shared index. A record whose blob
 * cannot be written is never tagged. Returns the manifests written.
 */
export async function exportSteps(
  backend: CacheBackend,
  items: readonly ExportItem[],
  concurrency = 4,
): Promise<Descriptor[]> {
  if (items.length === 0) return [];
  await backend.putBlob({
    digest: EMPTY_DIGEST,
    size: EMPTY_JSON.length,
    open: async () => ReadableStream.from([EMPTY_JSON]),
  });
  const limit = pLimit(concurrency);
  const written = await Promise.all(
    items.map((item) =>
      limit(async () => {
        const { record } = item;
        if (record.layer) {
          const open = item.openLayer;
          if (!open) return undefined;
          await backend.putBlob({ digest: record.layer.digest, size: record.layer.size, open });
        }
        const desc = await backend.putManifest(
          stepTag(record.key),
          stepManifest(record),
          MediaType.ociManifest,
        );
        return {
          ...desc,
          artifactType: ArtifactType.step,
          annotations: { ...desc.annotations, [KEY_ANNOTATION]: record.key },
        };
      }),
    ),
  );
  const descs = written.filter((d): d is NonNullable<typeof d> => d !== undefined);
  await backend.updateIndex(descs);
  return descs;
}
