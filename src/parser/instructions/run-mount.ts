import { TsbuildError } from "../../errors";
import { buildkitDidYouMean, didYouMean } from "../suggest";
import { hasVariable } from "./base";
import { isOneOf } from "../../guards";

/**
 * `RUN --mount=type=cache,target=/root/.cache,sharing=locked`: the mount specification, parsed
 * and validated like BuildKit's commands_runmount.go. Exported on its own so the planner can
 * re-validate a specification after expanding build arguments in it.
 */
export type MountType = "bind" | "cache" | "tmpfs" | "secret" | "ssh";
export type CacheSharing = "shared" | "private" | "locked";

export interface Mount {
  type: MountType;
  /** Where it appears in the container (secret/ssh default to /run/secrets/<id>, /run/buildkit/ssh_agent.N). */
  target?: string;
  /** Path inside `from` (bind/cache) or the secret/ssh id source. */
  source?: string;
  /** Stage name or image the bind/cache mount is taken from. */
  from?: string;
  readOnly: boolean;
  /** Cache id, secret id or ssh id. */
  id?: string;
  sharing?: CacheSharing;
  /** File mode, octal (cache/secret/ssh). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** tmpfs size in bytes. */
  size?: number;
  /** secret/ssh: fail when the secret/agent is not provided. */
  required?: boolean;
  /** secret: expose the secret as this environment variable. */
  env?: string;
}

/** A problem in a mount (or other flag) value, with where in the value it starts. */
export class InvalidFlagValueError extends TsbuildError {
  constructor(
    readonly problem: string,
    /** Offset in the flag value of the offending field. */
    readonly offset: number,
    readonly length: number,
  ) {
    super("DOCKERFILE_FLAG_VALUE", problem);
  }
}

const MOUNT_TYPES: readonly MountType[] = ["bind", "cache", "tmpfs", "secret", "ssh"];
const SHARING: readonly CacheSharing[] = ["shared", "private", "locked"];

/** The keys each mount type accepts (aliases included). */
const KEYS_BY_TYPE: Record<MountType, readonly string[]> = {
  bind: [
    "type",
    "target",
    "dst",
    "destination",
    "source",
    "src",
    "from",
    "readonly",
    "ro",
    "readwrite",
    "rw",
  ],
  cache: [
    "type",
    "target",
    "dst",
    "destination",
    "source",
    "src",
    "from",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "id",
    "sharing",
    "mode",
    "uid",
    "gid",
  ],
  tmpfs: ["type", "target", "dst", "destination", "size"],
  secret: [
    "type",
    "target",
    "dst",
    "destination",
    "id",
    "source",
    "src",
    "required",
    "mode",
    "uid",
    "gid",
    "env",
  ],
  ssh: ["type", "target", "dst", "destination", "id", "required", "mode", "uid", "gid"],
};

interface Field {
  key: string;
  value: string | undefined;
  /** Offset of the field (its key) in the whole specification. */
  offset: number;
  length: number;
  valueOffset: number;
}

/** Parses and validates one `--mount` value. Throws InvalidFlagValueError. */
export function parseMount(spec: string): Mount {
  const fields = splitCsv(spec);
  const typeField = fields.find((f) => f.key === "type");
  let type: MountType = "bind";
  // `type=$VAR`: the type is known once the planner expands the flag (and parses it again); until
  // then any key of any type is accepted, as BuildKit expands mount fields before checking them.
  const typeDeferred = typeField?.value !== undefined && hasVariable(typeField.value);
  if (typeField && !typeDeferred) {
    const value = typeField.value ?? "";
    if (!isOneOf(MOUNT_TYPES, value)) {
      throw fieldError(
        typeField,
        `unsupported mount type "${value}" (expected bind, cache, tmpfs, secret or ssh)${buildkitDidYouMean(value, MOUNT_TYPES)}`,
        true,
      );
    }
    type = value;
  }
  const mount: Mount = { type, readOnly: type === "bind" };
  const allowed = typeDeferred ? [...new Set(Object.values(KEYS_BY_TYPE).flat())] : KEYS_BY_TYPE[type];
  const seen = new Set<string>();
  for (const field of fields) {
    const { key, value } = field;
    if (!allowed.includes(key)) {
      const known = Object.values(KEYS_BY_TYPE).some((keys) => keys.includes(key));
      const hint = known ? "" : didYouMean(key, allowed);
      throw fieldError(field, `unexpected key '${key}' for --mount type=${type}${hint}`);
    }
    const canonical = canonicalKey(key);
    if (seen.has(canonical) && canonical !== "readonly") {
      throw fieldError(field, `--mount key "${key}" given more than once`);
    }
    seen.add(canonical);
    if (value === undefined) {
      applyBareKey(mount, field);
      continue;
    }
    applyField(mount, field, value);
  }
  if (
    !typeDeferred &&
    (type === "bind" || type === "cache" || type === "tmpfs") &&
    mount.target === undefined
  ) {
    throw new InvalidFlagValueError(`--mount type=${type} requires a target`, 0, spec.length);
  }
  return mount;
}

function canonicalKey(key: string): string {
  switch (key) {
    case "dst":
    case "destination":
      return "target";
    case "src":
      return "source";
    case "ro":
    case "rw":
    case "readwrite":
      return "readonly";
    default:
      return key;
  }
}

function applyBareKey(mount: Mount, field: Field): void {
  switch (field.key) {
    case "readonly":
    case "ro":
      mount.readOnly = true;
      return;
    case "readwrite":
    case "rw":
      mount.readOnly = false;
      return;
    case "required":
      mount.required = true;
      return;
    default:
      throw fieldError(field, `missing value for --mount key "${field.key}"`);
  }
}

function applyField(mount: Mount, field: Field, value: string): void {
  const deferred = hasVariable(value);
  switch (canonicalKey(field.key)) {
    case "type":
      return;
    case "target":
      mount.target = nonEmpty(field, value);
      return;
    case "source":
      mount.source = nonEmpty(field, value);
      return;
    case "from":
      mount.from = nonEmpty(field, value);
      return;
    case "id":
      mount.id = nonEmpty(field, value);
      return;
    case "env":
      mount.env = nonEmpty(field, value);
      return;
    case "readonly": {
      const flag = parseBool(field, value);
      mount.readOnly = field.key === "readonly" || field.key === "ro" ? flag : !flag;
      return;
    }
    case "required":
      mount.required = parseBool(field, value);
      return;
    case "sharing":
      if (isOneOf(SHARING, value)) mount.sharing = value;
      else if (!deferred)
        throw fieldError(
          field,
          `invalid --mount sharing=${value} (expected shared, private or locked)`,
          true,
        );
      // A value with a variable is kept for the planner, which expands and checks it.
      else mount.sharing = value as CacheSharing;
      return;
    case "mode":
      if (!deferred) {
        if (!/^[0-7]{1,4}$/.test(value)) {
          throw fieldError(
            field,
            `invalid --mount mode=${value} (expected an octal file mode like 0644)`,
            true,
          );
        }
        mount.mode = parseInt(value, 8);
      }
      return;
    case "uid":
    case "gid":
      if (!deferred) {
        if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) {
          throw fieldError(field, `invalid --mount ${field.key}=${value} (expected a numeric id)`, true);
        }
        if (field.key === "uid") mount.uid = Number(value);
        else mount.gid = Number(value);
      }
      return;
    case "size":
      if (!deferred) {
        const bytes = parseByteSize(value);
        if (bytes === undefined) {
          throw fieldError(field, `invalid --mount size=${value} (expected a size like 64m or 1g)`, true);
        }
        mount.size = bytes;
      }
      return;
    default:
      throw fieldError(field, `unexpected key '${field.key}' for --mount type=${mount.type}`);
  }
}

function nonEmpty(field: Field, value: string): string {
  if (value === "") throw fieldError(field, `missing value for --mount key "${field.key}"`);
  return value;
}

function parseBool(field: Field, value: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw fieldError(field, `invalid --mount ${field.key}=${value} (expected true or false)`, true);
}

/** docker/go-units RAMInBytes: `64m`, `1.5g`, `512kb`, `1024` (binary multiples). */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp])?i?b?$/i.exec(text);
  if (!match) return undefined;
  const power = match[2] ? "kmgtp".indexOf(match[2].toLowerCase()) + 1 : 0;
  return Math.floor(Number(match[1]) * 1024 ** power);
}

function fieldError(field: Field, problem: string, atValue = false): InvalidFlagValueError {
  if (atValue && field.value !== undefined) {
    return new InvalidFlagValueError(problem, field.valueOffset, Math.max(1, field.value.length));
  }
  return new InvalidFlagValueError(problem, field.offset, field.length);
}

/** Splits `a=b,"c=d,e",f` like Go's encoding/csv (one record); keys are lowercased. */
function splitCsv(spec: string): Field[] {
  const fields: Field[] = [];
  let i = 0;
  while (i <= spec.length) {
    const offset = i;
    let text = "";
    if (spec[i] === '"') {
      i++;
      while (i < spec.length) {
        if (spec[i] === '"' && spec[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (spec[i] === '"') {
          i++;
          break;
        } else {
          text += spec[i++];
        }
      }
      while (i < spec.length && spec[i] !== ",") text += spec[i++];
    } else {
      while (i < spec.length && spec[i] !== ",") text += spec[i++];
    }
    const length = i - offset;
    i++; // skip the comma
    if (text === "") {
      if (length === 0 && i > spec.length) break;
      throw new InvalidFlagValueError("empty field in --mount", offset, 1);
    }
    const eq = text.indexOf("=");
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : text.slice(eq + 1);
    fields.push({ key, value, offset, length, valueOffset: offset + eq + 1 });
  }
  return fields;
}
