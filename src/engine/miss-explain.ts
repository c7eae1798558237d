import type { BaseInput, JsonValue, KeyInputs } from "../cache";
import { canonicalJson } from "../planner/cache-key";

/** Why a step ran instead of hitting the cache, most specific first (see explainMiss). */
export type MissReason =
  | "no-cache"
  | "first-build"
  | "record-gone"
  | "instruction-changed"
  | "build-arg-changed"
  | "env-changed"
  | "files-changed"
  | "source-changed"
  | "base-image-changed"
  | "parent-missed"
  | "source-date-epoch-changed"
  | "unknown";

/** One input of the key that differs from the last build of the step. */
export interface InputChange {
  kind:
    "instruction" | "build-arg" | "env" | "file" | "source" | "base-image" | "parent" | "source-date-epoch";
  /** What changed: a build arg's or variable's name, a context path, an op field. */
  name: string;
  /** The last build's value; undefined when the input is new. */
  before?: string;
  /** This build's value; undefined when the input is gone. */
  after?: string;
}

/** The explanation of one cache miss (`steps[i].miss` of the build result). */
export interface StepMiss {
  reason: MissReason;
  /** One line, as the progress output shows it after "CACHE MISS: ". */
  message: string;
  /** Every input that differs from the last build of the step (empty for first-build). */
  inputs: InputChange[];
}

/** What the explainer knows of this build's step beyond its inputs. */
export interface MissContext {
  /** `--no-cache` or `--no-cache-filter` applied to the step. */
  noCache: boolean;
  /** Whether the step this one starts from ran (missed) in this build. */
  parentMissed: boolean;
}

/** What the last build of the same step position left, as read from the cache. */
export type Previous =
  | { kind: "none" }
  /** The position was built, but its record (or the inputs in it) is gone. */
  | { kind: "gone"; key: string; why: "pruned" | "missing" | "no-inputs" }
  | { kind: "record"; inputs: KeyInputs };

/** Explains a miss: compares this build's key inputs with the last build of the same step. */
export function explainMiss(current: KeyInputs, previous: Previous, ctx: MissContext): StepMiss {
  const inputs = previous.kind === "record" ? diffInputs(previous.inputs, current) : [];
  if (ctx.noCache) return { reason: "no-cache", message: "--no-cache", inputs };
  if (previous.kind === "none") return { reason: "first-build", message: "first build", inputs };
  if (previous.kind === "gone") {
    const message =
      previous.why === "pruned"
        ? "the result of the last build was removed from the cache (pruned)"
        : previous.why === "missing"
          ? "the last build of this step is no longer in the cache; its inputs are unknown"
          : "the last build of this step kept no inputs (an older tsbuild wrote it)";
    return { reason: "record-gone", message, inputs };
  }
  return { ...classify(inputs, ctx), inputs };
}

function classify(changes: readonly InputChange[], ctx: MissContext): Omit<StepMiss, "inputs"> {
  const of = (kind: InputChange["kind"]): InputChange[] => changes.filter((c) => c.kind === kind);
  const names = (list: readonly InputChange[]): string => list.map((c) => c.name).join(", ");
  const instruction = of("instruction");
  if (instruction.length > 0)
    return { reason: "instruction-changed", message: `instruction changed (${names(instruction)})` };
  const args = of("build-arg");
  if (args.length > 0)
    return {
      reason: "build-arg-changed",
      message: `build arg${args.length > 1 ? "s" : ""} ${names(args)} changed`,
    };
  const env = of("env");
  if (env.length > 0) return { reason: "env-changed", message: `ENV ${names(env)} changed` };
  const files = of("file");
  if (files.length > 0) {
    const more = files.length > 1 ? ` and ${files.length - 1} more file${files.length > 2 ? "s" : ""}` : "";
    return { reason: "files-changed", message: `${describeFile(files[0])}${more}` };
  }
  const source = of("source");
  if (source.length > 0) return { reason: "source-changed", message: `${names(source)} changed` };
  const base = of("base-image");
  if (base.length > 0) {
    const b = base[0];
    return {
      reason: "base-image-changed",
      message: `base image digest changed (${b.name} ${short(b.before)}→${short(b.after)})`,
    };
  }
  if (of("parent").length > 0)
    return {
      reason: "parent-missed",
      message: ctx.parentMissed
        ? "parent step missed"
        : "parent step changed (its result came from an older build)",
    };
  if (of("source-date-epoch").length > 0)
    return { reason: "source-date-epoch-changed", message: "SOURCE_DATE_EPOCH changed" };
  return { reason: "unknown", message: "the key changed but its recorded inputs did not" };
}

function describeFile(c: InputChange): string {
  if (c.before === undefined) return `${c.name} added`;
  if (c.after === undefined) return `${c.name} removed`;
  const [bt, bm, bh] = c.before.split(" ", 3);
  const [at, am, ah] = c.after.split(" ", 3);
  if (bt !== at) return `${c.name} changed (${bt}→${at})`;
  if (bh !== ah) {
    const [algo] = (ah ?? bh ?? "").split(":", 1);
    const hash = (v: string | undefined): string => short(v?.replace(/^[a-z0-9]+:/, ""));
    return `${c.name} changed (${algo} ${hash(bh)}→${hash(ah)})`;
  }
  return `${c.name} changed (mode ${bm}→${am})`;
}

/** A digest or hash cut to a readable prefix. */
function short(v: string | undefined): string {
  if (v === undefined) return "none";
  const m = /^(sha256:)?([0-9a-f]+)$/.exec(v);
  return m ? `${m[1] ?? ""}${m[2].slice(0, 12)}…` : v;
}

/** Every difference between two steps' key inputs. */
export function diffInputs(before: KeyInputs, after: KeyInputs): InputChange[] {
  const out: InputChange[] = [];
  const a = asObject(before.op);
  const b = asObject(after.op);
  if (a === undefined || b === undefined) {
    if (json(before.op) !== json(after.op))
      out.push({ kind: "instruction", name: "op", before: json(before.op), after: json(after.op) });
  } else {
    for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (json(a[field]) === json(b[field])) continue;
      out.push(...diffField(field, a[field], b[field], before, after));
    }
  }
  if (before.parent !== after.parent) {
    const base = diffBase(before.base, after.base);
    out.push(base ?? { kind: "parent", name: "parent", before: before.parent, after: after.parent });
  }
  if (before.sourceDateEpoch !== after.sourceDateEpoch)
    out.push(
      change(
        "source-date-epoch",
        "SOURCE_DATE_EPOCH",
        before.sourceDateEpoch?.toString(),
        after.sourceDateEpoch?.toString(),
      ),
    );
  return out;
}

function diffField(
  field: string,
  x: JsonValue | undefined,
  y: JsonValue | undefined,
  before: KeyInputs,
  after: KeyInputs,
): InputChange[] {
  if (field === "env" || field === "args") return diffKeyValues(field === "env" ? "env" : "build-arg", x, y);
  if (field === "source" && typeof x === "string" && typeof y === "string") {
    const files = diffFingerprints(strip(x, "context:"), strip(y, "context:"), before, after);
    if (files) return files;
    if (x.startsWith("stage:") && y.startsWith("stage:"))
      return [
        { kind: "source", name: "COPY --from stage", before: strip(x, "stage:"), after: strip(y, "stage:") },
      ];
    if (x.startsWith("image:") && y.startsWith("image:"))
      return [
        { kind: "source", name: "COPY --from image", before: strip(x, "image:"), after: strip(y, "image:") },
      ];
    if (x.startsWith("url:") && y.startsWith("url:"))
      return [{ kind: "source", name: "ADD URL content", before: x, after: y }];
  }
  if (field === "mounts" && Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
    return x.flatMap((m, i) => diffMount(i, m, y[i], before, after));
  }
  return [
    change(
      "instruction",
      field,
      x === undefined ? undefined : json(x),
      y === undefined ? undefined : json(y),
    ),
  ];
}

/** A RUN mount: a bind from the context by its files, from a stage or image by its source. */
function diffMount(
  i: number,
  x: JsonValue,
  y: JsonValue,
  before: KeyInputs,
  after: KeyInputs,
): InputChange[] {
  if (json(x) === json(y)) return [];
  const mx = asObject(x);
  const my = asObject(y);
  const rest = (m: Record<string, JsonValue>): string => json({ ...m, from: null });
  if (mx && my && rest(mx) === rest(my)) {
    const fx = asObject(mx.from);
    const fy = asObject(my.from);
    if (typeof fx?.context === "string" && typeof fy?.context === "string") {
      const files = diffFingerprints(fx.context, fy.context, before, after);
      if (files) return files;
    }
    if (fx && fy)
      return [{ kind: "source", name: `--mount ${i + 1} source`, before: json(fx), after: json(fy) }];
  }
  return [{ kind: "instruction", name: `--mount ${i + 1}`, before: json(x), after: json(y) }];
}

/** Files behind two context fingerprints, when both listings were kept; else one change. */
function diffFingerprints(
  x: string,
  y: string,
  before: KeyInputs,
  after: KeyInputs,
): InputChange[] | undefined {
  if (!x.startsWith("sha256:") || !y.startsWith("sha256:")) return undefined;
  const lx = before.files?.[x];
  const ly = after.files?.[y];
  if (lx === undefined || ly === undefined)
    return [{ kind: "file", name: "context files", before: x, after: y }];
  const out: InputChange[] = [];
  for (const p of [...new Set([...Object.keys(lx), ...Object.keys(ly)])].sort()) {
    if (lx[p] === ly[p]) continue;
    out.push(change("file", p, lx[p], ly[p]));
  }
  // Same files, other layout (a source's position changed): the fingerprint is all there is.
  return out.length > 0 ? out : [{ kind: "file", name: "context files", before: x, after: y }];
}

/** `K=V` lists (env, build args) by name. */
function diffKeyValues(
  kind: "env" | "build-arg",
  x: JsonValue | undefined,
  y: JsonValue | undefined,
): InputChange[] {
  const mx = kvMap(x);
  const my = kvMap(y);
  const out: InputChange[] = [];
  for (const k of [...new Set([...mx.keys(), ...my.keys()])].sort()) {
    if (mx.get(k) === my.get(k)) continue;
    out.push(change(kind, k, mx.get(k), my.get(k)));
  }
  return out;
}

function kvMap(v: JsonValue | undefined): Map<string, string> {
  const m = new Map<string, string>();
  if (!Array.isArray(v)) return m;
  for (const kv of v) {
    if (typeof kv !== "string") continue;
    const eq = kv.indexOf("=");
    m.set(eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? "" : kv.slice(eq + 1));
  }
  return m;
}

function diffBase(x: BaseInput | undefined, y: BaseInput | undefined): InputChange | undefined {
  if (x?.kind !== "image" || y?.kind !== "image" || x.digest === y.digest) return undefined;
  const name = x.ref === y.ref ? y.ref : `${x.ref}→${y.ref}`;
  return { kind: "base-image", name, before: x.digest, after: y.digest };
}

function asObject(v: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
}

function json(v: JsonValue | undefined): string {
  // Canonical, so that key order never makes two equal values differ.
  return v === undefined ? "undefined" : canonicalJson(v);
}

function strip(v: string, prefix: string): string {
  return v.startsWith(prefix) ? v.slice(prefix.length) : v;
}

/** A change, leaving out the side that does not exist. */
function change(
  kind: InputChange["kind"],
  name: string,
  before: string | undefined,
  after: string | undefined,
): InputChange {
  const c: InputChange = { kind, name };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return c;
}

const LABELS: Record<InputChange["kind"], (name: string) => string> = {
  instruction: (n) => n,
  file: (n) => n,
  "build-arg": (n) => `build arg ${n}`,
  env: (n) => `ENV ${n}`,
  source: (n) => n,
  "base-image": (n) => `base image ${n}`,
  parent: () => "parent key",
  "source-date-epoch": (n) => n,
};

/** The full diff for `build --explain`: one line per changed input. */
export function formatChanges(changes: readonly InputChange[]): string[] {
  return changes.map((c) => {
    const what = LABELS[c.kind](c.name);
    if (c.before === undefined) return `+ ${what}: ${c.after ?? ""}`;
    if (c.after === undefined) return `- ${what}: ${c.before}`;
    return `~ ${what}: ${c.before} → ${c.after}`;
  });
}
