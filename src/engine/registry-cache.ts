import type { CacheStore, StepRecord } from "../cache";
import { parseStepRecord } from "../cache/step-record";
import { BlobLayer } from "../image/blob-layer";
import { appendLayers, emptyImage, withConfig } from "../image/image";
import type { Platform } from "../image/descriptor";
import { RegistryError } from "../registry/errors";
import { pullImage } from "../registry/pull";
import { pushImage } from "../registry/push";
import { BuildError } from "./errors";
import { isRecord } from "../guards";

/** The config label that carries the step records of a registry cache image. */
export const CACHE_LABEL = "dev.tsbuild.cache.v1";

export interface RegistryCacheOptions {
  insecure?: readonly string[];
  signal?: AbortSignal;
}

/**
 * `--cache-to type=registry,ref=R`: the build's step records and their layer blobs pushed as an
 * ordinary image (so any registry stores it): its layers are the cached blobs, its config
 * carries the records in a label, like BuildKit's inline cache. Steps without a layer ride along.
 */
export async function exportRegistryCache(
  store: CacheStore,
  keys: readonly string[],
  ref: string,
  platform: Platform,
  opts: RegistryCacheOptions = {},
): Promise<string> {
  const records: StepRecord[] = [];
  for (const key of new Set(keys)) {
    const record = await store.records.get(key, { touch: false });
    if (record) records.push(record);
  }
  const seen = new Set<string>();
  const layers: BlobLayer[] = [];
  for (const r of records) {
    if (!r.layer || seen.has(r.layer.digest)) continue;
    seen.add(r.layer.digest);
    layers.push(new BlobLayer({ path: store.blobs.path(r.layer.digest), ...r.layer }));
  }
  const image = withConfig(await appendLayers(emptyImage(platform), layers), (c) => {
    c.config.Labels = { [CACHE_LABEL]: JSON.stringify(records.map(({ lastUsedAt: _u, ...r }) => r)) };
  });
  return pushImage(image, ref, {
    store,
    ...(opts.insecure ? { insecure: opts.insecure } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/**
 * `--cache-from type=registry,ref=R`: pulls such an image (every blob verified into the store)
 * and writes its records. A missing cache image is not an error: the build simply runs cold.
 */
export async function importRegistryCache(
  store: CacheStore,
  ref: string,
  platform: Platform,
  opts: RegistryCacheOptions = {},
): Promise<number> {
  let pulled;
  try {
    pulled = await pullImage(ref, {
      store,
      platform,
      ...(opts.insecure ? { insecure: opts.insecure } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (err instanceof RegistryError && err.status === 404) return 0;
    throw err;
  }
  const text = pulled.config.config.Labels?.[CACHE_LABEL];
  if (text === undefined)
    throw new BuildError(
      "CACHE_IMPORT_INVALID",
      `import cache from ${ref}: the image has no ${CACHE_LABEL} label`,
    );
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new BuildError(
      "CACHE_IMPORT_INVALID",
      `import cache from ${ref}: the ${CACHE_LABEL} label is not JSON`,
    );
  }
  if (!Array.isArray(list))
    throw new BuildError(
      "CACHE_IMPORT_INVALID",
      `import cache from ${ref}: the ${CACHE_LABEL} label is not a list`,
    );
  let written = 0;
  for (const item of list) {
    const record = parseStepRecord(
      JSON.stringify(isRecord(item) ? { ...item, lastUsedAt: new Date().toISOString() } : item),
    );
    if (!record) continue;
    if (await store.records.get(record.key, { touch: false })) continue;
    await store.records.put(record);
    written++;
  }
  return written;
}
