/**
 * Flags about how RUN steps run: `--allow` (entitlements), `--ulimit`, `--pids-limit`,
 * `--runtime`, `--isolation`. Each bad value is a UsageError naming the flag.
 */
import type { Entitlement } from "../engine/build-options";
import { UsageError } from "../errors";
import type { ProcessLimit } from "../executor/run-spec";
import { isOneOf } from "../guards";

const ENTITLEMENTS: readonly Entitlement[] = ["network.host", "security.insecure"];

/** `--allow network.host,security.insecure` (repeatable, comma-separated like buildx). */
export function parseAllow(values: readonly string[]): Entitlement[] {
  const out = new Set<Entitlement>();
  for (const v of values.flatMap((x) => x.split(","))) {
    const e = v.trim();
    if (!isOneOf(ENTITLEMENTS, e)) {
      throw new UsageError(`--allow: unknown entitlement "${e}" (expected ${ENTITLEMENTS.join(" or ")})`);
    }
    out.add(e);
  }
  return [...out];
}

const ULIMITS = [
  "core",
  "cpu",
  "data",
  "fsize",
  "locks",
  "memlock",
  "msgqueue",
  "nice",
  "nofile",
  "nproc",
  "rss",
  "rtprio",
  "rttime",
  "sigpending",
  "stack",
];

/** `--ulimit nofile=1024:2048` (docker's syntax: name=soft[:hard]). */
export function parseUlimits(values: readonly string[]): ProcessLimit[] {
  return values.map((v) => {
    const m = /^([a-z]+)=([0-9]+)(?::([0-9]+))?$/.exec(v);
    if (m === null) throw new UsageError(`--ulimit: "${v}" is not name=soft[:hard] (e.g. nofile=1024:2048)`);
    const [, name = "", softText = "", hardText] = m;
    if (!ULIMITS.includes(name))
      throw new UsageError(`--ulimit: unknown limit "${name}" (expected ${ULIMITS.join(", ")})`);
    const soft = Number(softText);
    const hard = hardText === undefined ? soft : Number(hardText);
    if (soft > hard) throw new UsageError(`--ulimit ${v}: the soft limit is above the hard limit`);
    return { type: `RLIMIT_${name.toUpperCase()}`, soft, hard };
  });
}

/** `--pids-limit N` (podman's flag): 0 means no limit. */
export function parsePidsLimit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`--pids-limit: "${text}" is not a whole number`);
  return Number(text);
}

export type Isolation = "auto" | "root" | "rootless";

export function parseIsolation(value: unknown): Isolation {
  const text = value === undefined ? "auto" : String(value);
  if (text !== "auto" && text !== "root" && text !== "rootless") {
    throw new UsageError(`--isolation: "${text}" is not auto, root or rootless`);
  }
  return text;
}

export function parseRuntime(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (text !== "auto" && text !== "runc" && text !== "crun") {
    throw new UsageError(`--runtime: "${text}" is not runc, crun or auto`);
  }
  return text;
}
