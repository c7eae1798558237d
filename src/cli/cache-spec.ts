import { parseSize } from "../cache/units";
import type { CacheExportSpec, CacheImportSpec } from "../engine/remote-cache";
import { UsageError } from "../errors";

/**
 * `--cache-from` / `--cache-to` values as buildx spells them: `type=registry,ref=REF` or
 * `type=local,src=DIR` (`dest=DIR` for --cache-to). --cache-to also takes `mode=min|max`,
 * `cache-mounts=ID[,ID...]` (the ids may follow unquoted: `cache-mounts=npm,apt`) and
 * `cache-mounts-max-size=SIZE`. Unknown keys are refused, not ignored.
 */
export function parseCacheImport(text: string): CacheImportSpec {
  const fields = cacheFields("--cache-from", text);
  const spec = target("--cache-from", fields, "src");
  const extra = [...fields.keys()].filter((k) => !["type", "ref", "src"].includes(k));
  if (extra.length > 0) throw new UsageError(`--cache-from: unknown field "${extra[0]}" in "${text}"`);
  return spec.type === "registry" ? spec : { type: "local", src: spec.dir };
}

export function parseCacheExport(text: string): CacheExportSpec {
  const flag = "--cache-to";
  const fields = cacheFields(flag, text);
  const spec = target(flag, fields, "dest");
  const known = ["type", "ref", "dest", "mode", "cache-mounts", "cache-mounts-max-size"];
  const extra = [...fields.keys()].filter((k) => !known.includes(k));
  if (extra.length > 0) throw new UsageError(`${flag}: unknown field "${extra[0]}" in "${text}"`);
  const mode = fields.get("mode");
  if (mode !== undefined && mode !== "min" && mode !== "max")
    throw new UsageError(`${flag}: mode=${mode} is not min or max`);
  const mounts = fields.get("cache-mounts");
  const ids = mounts === undefined ? [] : mounts.split(",").filter((id) => id !== "");
  if (mounts !== undefined && ids.length === 0)
    throw new UsageError(`${flag}: cache-mounts= names no mount id`);
  const max = fields.get("cache-mounts-max-size");
  let maxSize: number | undefined;
  try {
    maxSize = max === undefined ? undefined : parseSize(max);
  } catch {
    throw new UsageError(`${flag}: cache-mounts-max-size=${max} is not a size like 500MB or 2GiB`);
  }
  const base = spec.type === "registry" ? spec : { type: "local" as const, dest: spec.dir };
  return {
    ...base,
    ...(mode !== undefined ? { mode } : {}),
    ...(ids.length > 0 ? { cacheMounts: ids } : {}),
    ...(maxSize !== undefined ? { cacheMountsMaxSize: maxSize } : {}),
  };
}

function target(
  flag: string,
  fields: Map<string, string>,
  key: "src" | "dest",
): { type: "local"; dir: string } | { type: "registry"; ref: string } {
  const type = fields.get("type") ?? "local";
  if (type === "registry") {
    const ref = fields.get("ref");
    if (ref === undefined || ref === "")
      throw new UsageError(`${flag}: type=registry needs ref=<image reference>`);
    return { type, ref };
  }
  if (type !== "local")
    throw new UsageError(`${flag}: type=${type} is not supported (expected local or registry)`);
  const dir = fields.get(key);
  if (dir === undefined || dir === "") throw new UsageError(`${flag}: type=local needs ${key}=<dir>`);
  return { type, dir };
}

/** key=value fields; a bare word right after `cache-mounts=...` is one more id of that list. */
function cacheFields(flag: string, text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0 && last === "cache-mounts" && part.trim() !== "") {
      fields.set(last, `${fields.get(last) ?? ""},${part.trim()}`);
      continue;
    }
    if (eq <= 0) throw new UsageError(`${flag}: invalid field "${part}" in "${text}" (expected key=value)`);
    const key = part.slice(0, eq).trim().toLowerCase();
    if (fields.has(key)) throw new UsageError(`${flag}: field "${key}" given twice in "${text}"`);
    fields.set(key, part.slice(eq + 1).trim());
    last = key;
  }
  return fields;
}
