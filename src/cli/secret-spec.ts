import { UsageError } from "../errors";
import { parseFields } from "./key-value";

/** One `--secret`: a file or an environment variable the build may mount as secret `id`. */
export type SecretSpec = { id: string; src: string } | { id: string; env: string };

/**
 * Parses `--secret id=x,src=path`, `id=x,env=VAR`, `type=env,id=VAR` as buildx does: `source` is
 * an alias of `src`; `type=env` without `env` reads the variable named like the id; `type=file`
 * without `src` is an error. Values are not read here: the build reads them only when a RUN
 * mounts the secret, so nothing secret stays in memory longer than needed.
 */
export function parseSecretSpec(text: string): SecretSpec {
  const fields = parseFields("--secret", text);
  for (const key of fields.keys()) {
    if (!["id", "type", "src", "source", "env"].includes(key)) {
      throw new UsageError(`--secret: unknown field "${key}" in "${text}" (expected id, type, src, env)`);
    }
  }
  const id = fields.get("id");
  if (id === undefined || id === "") throw new UsageError(`--secret: missing id= in "${text}"`);
  const type = fields.get("type") ?? (fields.has("env") ? "env" : "file");
  if (type !== "file" && type !== "env")
    throw new UsageError(`--secret: unknown type "${type}" in "${text}" (expected file or env)`);
  const src = fields.get("src") ?? fields.get("source");
  if (type === "env") {
    if (src !== undefined) throw new UsageError(`--secret: type=env takes env=, not src=, in "${text}"`);
    const env = fields.get("env") || id;
    return { id, env };
  }
  if (fields.has("env")) throw new UsageError(`--secret: type=file takes src=, not env=, in "${text}"`);
  if (src === undefined || src === "") throw new UsageError(`--secret: missing src= (or env=) in "${text}"`);
  return { id, src };
}

/** Parses every `--secret`, refusing two secrets with one id (the mount would be ambiguous). */
export function parseSecretSpecs(texts: readonly string[]): SecretSpec[] {
  const specs = texts.map(parseSecretSpec);
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.id)) throw new UsageError(`--secret: id "${spec.id}" given twice`);
    seen.add(spec.id);
  }
  return specs;
}
