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

/** `-o type=oci,dest=x.tar` and friends, as buildx spells them. */
export type OutputSpec =
  | ({ type: "oci"; dest: string; tar: boolean } & OutputCompression)
  | ({ type: "docker"; dest: string } & OutputCompression)
  | { type: "local"; dest: string }
  | { type: "tar"; dest: string }
  | ({ type: "image"; push: boolean; names?: string[] } & OutputCompression)
  | ({ type: "registry"; names?: string[] } & OutputCompression);

const COMPRESSIONS = ["gzip", "zstd", "uncompressed"] as const;

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

const TYPES = ["oci", "docker", "local", "tar", "image", "registry"] as const;

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
  const dest = fields.get("dest");
  const names = fields.get("name")?.split(/[;]/).filter(Boolean);
  switch (type) {
    case "image":
    case "registry": {
      const compression = outputCompression(fields, type);
      return type === "image"
        ? { type, push: fields.get("push") === "true", ...(names ? { names } : {}), ...compression }
        : { type, ...(names ? { names } : {}), ...compression };
    }
    default:
      if (dest === undefined || dest === "") throw new UsageError(`--output type=${type} needs dest=<path>`);
      if (type === "oci")
        return { type, dest, tar: fields.get("tar") !== "false", ...outputCompression(fields, type) };
      if (type === "docker") return { type, dest, ...outputCompression(fields, type) };
      return { type, dest };
  }
}
