import { UsageError } from "../errors";
import { parseFields } from "./key-value";

/** One `--secret`: a file or an environment variable the build may mount as secret `id`. */
export type SecretSpec = { id: string; src: string } | { id: string; env: string };

/**
 * Parses `--secret id=x,src=path`, `id=x,env=VAR`, `type=env,id=VAR` as buildx does: `source` is
 * an alias of `src`; `type=env` reads `env` (or `src`, as buildx maps it) else the variable named
 * like the id; `id=X` alone is the variable X when `env` has it, else the file X (BuildKit's
 * secrets store rule); `type=file` without `src` reads the file named like the id. Values are not
 * read here: the build reads them only when a RUN mounts the secret, so nothing secret stays in
 * memory longer than needed.
 */
export function parseSecretSpec(text: string, env: NodeJS.ProcessEnv = process.env): SecretSpec {
  const fields = parseFields("--secret", text);
  for (const key of fields.keys()) {
    if (!["id", "type", "src", "source", "env"].includes(key)) {
      throw new UsageError(`--secret: unknown field "${key}" in "${text}" (expected id, type, src, env)`);
    }
  }
  const id = fields.get("id");
  if (id === undefined || id === "") throw new UsageError(`--secret: missing id= in "${text}"`);
  const explicit = fields.get("type");
  if (explicit !== undefined && explicit !== "file" && explicit !== "env")
    throw new UsageError(`--secret: unknown type "${explicit}" in "${text}" (expected file or env)`);
  const src = fields.get("src") ?? fields.get("source");
  if (src !== undefined && fields.has("env"))
    throw new UsageError(`--secret: give src= or env=, not both, in "${text}"`);
  if (explicit === "env" || fields.has("env")) {
    if (explicit === "file") throw new UsageError(`--secret: type=file takes src=, not env=, in "${text}"`);
    return { id, env: fields.get("env") || src || id };
  }
  if (src !== undefined && src !== "") return { id, src };
  if (explicit === "file") return { id, src: id };
  return env[id] !== undefined ? { id, env: id } : { id, src: id };
}

/** Parses every `--secret`, refusing two secrets with one id (the mount would be ambiguous). */
export function parseSecretSpecs(
  texts: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): SecretSpec[] {
  const specs = texts.map((t) => parseSecretSpec(t, env));
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.id)) throw new UsageError(`--secret: id "${spec.id}" given twice`);
    seen.add(spec.id);
  }
  return specs;
}
