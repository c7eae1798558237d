import { UsageError } from "../errors";
import { isOneOf } from "../guards";

/** `-o type=oci,dest=x.tar` and friends, as buildx spells them. */
export type OutputSpec =
  | { type: "oci"; dest: string; tar: boolean }
  | { type: "docker"; dest: string }
  | { type: "local"; dest: string }
  | { type: "tar"; dest: string }
  | { type: "image"; push: boolean; names?: string[] }
  | { type: "registry"; names?: string[] };

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
    case "registry":
      return type === "image"
        ? { type, push: fields.get("push") === "true", ...(names ? { names } : {}) }
        : { type, ...(names ? { names } : {}) };
    default:
      if (dest === undefined || dest === "") throw new UsageError(`--output type=${type} needs dest=<path>`);
      if (type === "oci") return { type, dest, tar: fields.get("tar") !== "false" };
      return { type, dest };
  }
}
