import type { Digest } from "./digest";
import { sortedRecord } from "./descriptor";

/** HEALTHCHECK as Docker stores it; durations are nanoseconds. */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The runtime part of an image config ("config" in the JSON), Docker's field names. */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  OnBuild?: string[];
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface RootFS {
  type: "layers";
  diff_ids: Digest[];
}

/** The OCI image config blob (application/vnd.oci.image.config.v1+json) as Docker/BuildKit write it. */
export interface ImageConfig {
  architecture: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  variant?: string;
  /** RFC 3339 timestamp, e.g. "2024-01-02T03:04:05Z". */
  created?: string;
  author?: string;
  config: ContainerConfig;
  rootfs: RootFS;
  history?: HistoryEntry[];
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** Copies `fields` of `src` in the given order, dropping empty values (Go's omitempty). */
function ordered<T extends object>(
  src: T,
  fields: readonly (keyof T)[],
  sortMaps: readonly (keyof T)[] = [],
): T {
  const out: Partial<T> = {};
  for (const field of fields) {
    const value = src[field];
    if (isEmpty(value)) continue;
    // Key order only: a map field's value is a record of its own type, sorted (casts to and back).
    const copy = sortMaps.includes(field) ? sortedRecord(value as Record<string, unknown>) : value;
    out[field] = copy as T[keyof T]; // the same value, re-typed after sorting
  }
  // Every field of `fields` was copied or was empty (omitempty): what is left is a T.
  return out as T;
}

/**
 * The config in the byte-stable form BuildKit emits: top-level keys sorted (BuildKit re-marshals
 * the config through a map), runtime config fields in the image-spec struct order followed by
 * Docker's extensions, map keys sorted, empty fields omitted. `rootfs` is always present.
 */
export function canonicalConfig(config: ImageConfig): ImageConfig {
  const runtime = ordered(
    config.config,
    [
      "User",
      "ExposedPorts",
      "Env",
      "Entrypoint",
      "Cmd",
      "Volumes",
      "WorkingDir",
      "Labels",
      "StopSignal",
      "ArgsEscaped",
      "Healthcheck",
      "OnBuild",
      "Shell",
    ],
    ["ExposedPorts", "Volumes", "Labels"],
  );
  if (runtime.Healthcheck) {
    runtime.Healthcheck = ordered(runtime.Healthcheck, [
      "Test",
      "Interval",
      "Timeout",
      "StartPeriod",
      "StartInterval",
      "Retries",
    ]);
  }
  const history = (config.history ?? []).map((h) =>
    ordered(h, ["created", "created_by", "author", "comment", "empty_layer"]),
  );
  const out: Record<string, unknown> = {
    architecture: config.architecture,
    author: config.author,
    config: runtime,
    created: config.created,
    history,
    os: config.os,
    "os.features": config["os.features"],
    "os.version": config["os.version"],
    rootfs: { type: config.rootfs.type, diff_ids: [...config.rootfs.diff_ids] },
    variant: config.variant,
  };
  for (const key of Object.keys(out)) {
    if (key !== "config" && key !== "rootfs" && isEmpty(out[key])) delete out[key];
  }
  // Built field by field from an ImageConfig in the spec's order (a record to drop empties).
  return out as unknown as ImageConfig;
}

/** The config blob's bytes: canonical JSON, no trailing newline. */
export function serializeConfig(config: ImageConfig): Buffer {
  return Buffer.from(JSON.stringify(canonicalConfig(config)), "utf8");
}
