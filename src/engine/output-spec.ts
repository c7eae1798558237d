import { UsageError } from "../errors";
import { isOneOf } from "../guards";
import { effectiveLevel } from "../image/compression";
import type { Compression } from "../image/media-types";

/**
 * `compression=`, `compression-level=`, `force-compression=` of an image output, as buildx takes
 * them; unset ones fall back to the build's (`--compression`, BuildOptions).
 */
export interface OutputCompression {
  compression?: Compression;
  compressionLevel?: number;
  forceCompression?: boolean;
}

/** A container engine `--load` / `-o type=docker` (no dest) hands the image to. */
export type LoadEngine = "podman" | "docker";

/** `-o type=oci,dest=x.tar` and friends, as buildx spells them. */
export type OutputSpec =
  | ({ type: "oci"; dest: string; tar: boolean; names?: string[] } & OutputCompression)
  | ({ type: "docker"; dest: string; names?: string[] } & OutputCompression)
  | { type: "local"; dest: string }
  | { type: "tar"; dest: string }
  | ({ type: "image"; push: boolean; names?: string[] } & OutputCompression)
  | ({ type: "registry"; names?: string[] } & OutputCompression)
  /**
   * `--load`, or `-o type=docker` without dest (buildx: into the docker daemon): a Docker archive
   * piped into `podman load` / `docker load`; without `engine`, the one the build's env selects.
   */
  | { type: "load"; engine?: LoadEngine; names?: string[] };

const COMPRESSIONS = ["gzip", "zstd", "uncompressed"] as const;

const TYPES = ["oci", "docker", "local", "tar", "image", "registry"] as const;
type OutputType = (typeof TYPES)[number];

/** Layer compression keys (buildx's); they override the build's compression for that output. */
const COMPRESSION_KEYS = ["compression", "compression-level", "force-compression"] as const;

/**
 * The keys each type takes. A key outside its type's list is a usage error naming both, never
 * silently ignored: a CI line that asks for something tsbuild does not do must fail loudly.
 */
const KEYS: Record<OutputType, readonly string[]> = {
  oci: ["type", "dest", "tar", "name", "oci-mediatypes", ...COMPRESSION_KEYS],
  docker: ["type", "dest", "tar", "name", ...COMPRESSION_KEYS],
  local: ["type", "dest"],
  tar: ["type", "dest"],
  image: ["type", "name", "push", "oci-mediatypes", ...COMPRESSION_KEYS],
  registry: ["type", "name", "push", "oci-mediatypes", ...COMPRESSION_KEYS],
};

/** Keys buildx has that tsbuild does not do, with what to use instead. */
const UNSUPPORTED: Record<string, string> = {
  "annotation.": "use --annotation",
  "annotation-": "use --annotation",
  "push-by-digest": "not supported",
  insecure: "use --insecure-registry HOST",
  unpack: "not supported (there is no containerd image store)",
  store: "not supported (the local image store always receives the image)",
  "dangling-name-prefix": "not supported",
  "name-canonical": "not supported",
  "rewrite-timestamp": "not supported (SOURCE_DATE_EPOCH clamps the layers' file times)",
  "oci-artifact": "not supported",
  "platform-split": "not supported",
  context: "not supported (set TSBUILD_LOAD=podman|docker)",
  buildinfo: "not supported",
  "buildinfo-attrs": "not supported",
};

/** Parses one `--output` value: `type=oci,dest=out.tar[,tar=false]`, or a bare path (= local). */
export function parseOutputSpec(text: string): OutputSpec {
  if (!text.includes("=")) {
    if (text === "") throw new UsageError("--output: empty value");
    return text === "-" ? { type: "tar", dest: "-" } : { type: "local", dest: text };
  }
  const fields = new Map<string, string>();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UsageError(`--output: invalid field "${part}" in "${text}" (expected key=value)`);
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const type = fields.get("type") ?? "local";
  if (!isOneOf(TYPES, type)) {
    throw new UsageError(`--output: unknown type "${type}" (expected ${TYPES.join(", ")})`);
  }
  checkKeys(type, fields);
  const dest = fields.get("dest");
  const names = fields.get("name")?.split(";").filter(Boolean);
  const named = names ? { names } : {};
  if (fields.get("oci-mediatypes") !== undefined && !bool(fields, "oci-mediatypes", type, true))
    throw new UsageError(
      `--output type=${type}: oci-mediatypes=false is not supported (tsbuild writes OCI media types)`,
    );
  switch (type) {
    case "image":
      return { type, push: bool(fields, "push", type, false), ...named, ...outputCompression(fields, type) };
    case "registry":
      if (!bool(fields, "push", type, true))
        throw new UsageError("--output type=registry: push=false contradicts the type (use type=image)");
      return { type, ...named, ...outputCompression(fields, type) };
    case "docker":
      if (dest === undefined || dest === "") {
        if (fields.has("tar")) throw new UsageError("--output type=docker: tar= needs dest=<path>");
        return { type: "load", ...named };
      }
      if (!bool(fields, "tar", type, true))
        throw new UsageError(
          "--output type=docker: tar=false is not supported (the Docker format is an archive)",
        );
      return { type, dest, ...named, ...outputCompression(fields, type) };
    default:
      if (dest === undefined || dest === "") throw new UsageError(`--output type=${type} needs dest=<path>`);
      if (type === "oci")
        return {
          type,
          dest,
          tar: bool(fields, "tar", type, true),
          ...named,
          ...outputCompression(fields, type),
        };
      return { type, dest };
  }
}

/** The compression fields of an output's `key=value`s; usage errors name the bad key. */
function outputCompression(fields: Map<string, string>, type: string): OutputCompression {
  const out: OutputCompression = {};
  const compression = fields.get("compression");
  if (compression !== undefined) {
    if (!isOneOf(COMPRESSIONS, compression))
      throw new UsageError(
        `--output type=${type}: compression=${compression} is not one of ${COMPRESSIONS.join(", ")}`,
      );
    out.compression = compression;
  }
  const level = fields.get("compression-level");
  if (level !== undefined) {
    const n = /^[0-9]+$/.test(level) ? Number(level) : NaN;
    try {
      out.compressionLevel = effectiveLevel(out.compression ?? "gzip", n);
    } catch {
      throw new UsageError(
        `--output type=${type}: compression-level=${level} is not a level of ${out.compression ?? "gzip"} (gzip 0-9, zstd 0-22)`,
      );
    }
  }
  const force = fields.get("force-compression");
  if (force !== undefined) {
    if (force !== "true" && force !== "false")
      throw new UsageError(`--output type=${type}: force-compression=${force} is not true or false`);
    out.forceCompression = force === "true";
  }
  return out;
}

function checkKeys(type: OutputType, fields: ReadonlyMap<string, string>): void {
  for (const key of fields.keys()) {
    if (KEYS[type].includes(key)) continue;
    const unsupported = Object.entries(UNSUPPORTED).find(([k]) =>
      k.endsWith(".") || k.endsWith("-") ? key.startsWith(k) : key === k,
    );
    if (unsupported !== undefined)
      throw new UsageError(
        `--output type=${type}: key "${key}" is ${unsupported[1].startsWith("use") ? `not supported (${unsupported[1]})` : unsupported[1]}`,
      );
    throw new UsageError(`--output type=${type}: unknown key "${key}" (expected ${KEYS[type].join(", ")})`);
  }
}

/** A boolean field: true/false (buildx also takes 1/0); absent is `fallback`. */
function bool(fields: ReadonlyMap<string, string>, key: string, type: string, fallback: boolean): boolean {
  const v = fields.get(key);
  if (v === undefined) return fallback;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new UsageError(`--output type=${type}: ${key}="${v}" is not true or false`);
}
