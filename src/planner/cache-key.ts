import { createHash } from "node:crypto";

/**
 * Content-addressed cache keys. A step's key is sha256 over canonical JSON of
 * `{ parent, op }`: the key of the filesystem state it starts from (or the base image digest) and
 * the normalized operation — its expanded arguments, the flags that change its result, the env
 * and build args it can see, and for COPY/ADD the fingerprint of exactly the files it copies.
 * Nothing that does not change the result goes in: no mtimes, no host paths, no stage names,
 * no secret values, no proxy build args.
 */
export type KeyValue =
  string | number | boolean | null | KeyValue[] | { [key: string]: KeyValue | undefined };

/** JSON with object keys sorted and undefined members dropped, so equal values hash equally. */
export function canonicalJson(value: KeyValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  // The fields of a KeyValue object are KeyValues by its definition.
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as KeyValue)}`).join(",")}}`;
}

export function hashKey(value: KeyValue): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/** The key of a step: its parent state's key combined with its operation. */
export function stepKey(parent: string, op: KeyValue): string {
  return hashKey({ v: 1, parent, op });
}
