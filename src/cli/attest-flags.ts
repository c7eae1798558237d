import type { ArgumentsCamelCase } from "yargs";
import type { AttestSpec } from "../engine/attestations";
import { UsageError } from "../errors";
import { stringList } from "./store-option";

/** The yargs options of this module, merged into `tsbuild build`'s. */
export const attestOptionSpecs = {
  attest: {
    type: "string",
    requiresArg: true,
    describe: "attestation: type=provenance[,mode=min|max] or type=sbom; repeatable",
  },
  provenance: {
    type: "string",
    describe: "SLSA provenance attestation (= --attest type=provenance): true, false, or mode=min|max",
  },
  sbom: {
    type: "string",
    describe: "SBOM attestation via syft or trivy (= --attest type=sbom): true or false",
  },
} as const;

/** `--attest`, `--provenance`, `--sbom` as buildx reads them; later flags of a type win. */
export function parseAttestFlags(args: ArgumentsCamelCase): AttestSpec[] {
  const byType = new Map<string, AttestSpec | undefined>();
  for (const text of stringList(args.attest)) {
    const fields = fieldsOf("--attest", text);
    const type = fields.get("type");
    if (type === "provenance") byType.set(type, provenance("--attest", fields));
    else if (type === "sbom") byType.set(type, sbom("--attest", fields));
    else throw new UsageError(`--attest: type=${type ?? ""} is not supported (expected provenance or sbom)`);
  }
  for (const [flag, type] of [
    ["provenance", "provenance"],
    ["sbom", "sbom"],
  ] as const) {
    const value = args[flag];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    for (const v of values) {
      const fields = shorthand(`--${flag}`, v);
      byType.set(
        type,
        fields === false
          ? undefined
          : type === "provenance"
            ? provenance(`--${flag}`, fields)
            : sbom(`--${flag}`, fields),
      );
    }
  }
  return [...byType.values()].filter((s): s is AttestSpec => s !== undefined);
}

/** `""`/`true` → on, `false` → off, `k=v,...` → on with those fields. */
function shorthand(flag: string, value: string): Map<string, string> | false {
  const v = value.trim().toLowerCase();
  if (v === "" || v === "true" || v === "1") return new Map();
  if (v === "false" || v === "0") return false;
  const fields = fieldsOf(flag, value);
  if (fields.get("disabled") === "true") return false;
  return fields;
}

function fieldsOf(flag: string, text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag}: invalid field "${part}" in "${text}" (expected key=value)`);
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return fields;
}

function provenance(flag: string, fields: Map<string, string>): AttestSpec | undefined {
  if (fields.get("disabled") === "true") return undefined;
  for (const key of fields.keys())
    if (!["type", "mode", "disabled"].includes(key))
      throw new UsageError(`${flag}: unknown provenance key "${key}" (expected mode)`);
  const mode = fields.get("mode") ?? "min";
  if (mode !== "min" && mode !== "max")
    throw new UsageError(`${flag}: mode=${mode} is not supported (expected min or max)`);
  return { type: "provenance", mode };
}

function sbom(flag: string, fields: Map<string, string>): AttestSpec | undefined {
  if (fields.get("disabled") === "true") return undefined;
  for (const key of fields.keys())
    if (!["type", "generator", "disabled"].includes(key))
      throw new UsageError(`${flag}: unknown sbom key "${key}" (expected generator)`);
  const generator = fields.get("generator");
  return { type: "sbom", ...(generator !== undefined ? { generator } : {}) };
}
