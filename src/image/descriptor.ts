import type { Digest } from "./digest";

/** OCI platform, field order as in the image-spec (and as Go marshals it). */
export interface Platform {
  architecture: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  variant?: string;
}

/** An OCI content descriptor: what a manifest/index says about one blob. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** Copies a descriptor with the image-spec's field order and sorted annotation keys. */
export function canonicalDescriptor(d: Descriptor): Descriptor {
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.annotations && Object.keys(d.annotations).length > 0) out.annotations = sortedRecord(d.annotations);
  if (d.platform) out.platform = canonicalPlatform(d.platform);
  return out;
}

export function canonicalPlatform(p: Platform): Platform {
  const out: Platform = { architecture: p.architecture, os: p.os };
  if (p["os.version"]) out["os.version"] = p["os.version"];
  if (p["os.features"] && p["os.features"].length > 0) out["os.features"] = [...p["os.features"]];
  if (p.variant) out.variant = p.variant;
  return out;
}

/** Go marshals maps with sorted keys; doing the same keeps our JSON byte-stable. */
export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}
