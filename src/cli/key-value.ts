import { UsageError } from "../errors";

/** `--label K=V` values into a record; a later value for the same key wins, as in docker. */
export function parseKeyValues(flag: string, specs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag}: invalid value "${spec}" (expected KEY=VALUE)`);
    out[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  return out;
}

/** `a=b,c=d` (the csv-ish field lists of --output, --secret) into a map with lower-case keys. */
export function parseFields(flag: string, text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag}: invalid field "${part}" in "${text}" (expected key=value)`);
    const key = part.slice(0, eq).trim().toLowerCase();
    if (fields.has(key)) throw new UsageError(`${flag}: field "${key}" given twice in "${text}"`);
    fields.set(key, part.slice(eq + 1).trim());
  }
  return fields;
}
