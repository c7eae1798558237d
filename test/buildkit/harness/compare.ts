import type { FsEntry, ReadImage } from "./image-reader";

/** Config fields compared between tsbuild's image and BuildKit's (Docker's names under "config"). */
export const CONFIG_FIELDS = [
  "Env",
  "Cmd",
  "Entrypoint",
  "WorkingDir",
  "User",
  "Labels",
  "ExposedPorts",
  "Volumes",
  "StopSignal",
  "Healthcheck",
  "OnBuild",
  "Shell",
] as const;

/** One difference: the field ("config.WorkingDir", "history", "rootfs") and what differs. */
export interface Difference {
  field: string;
  detail: string;
}

/** Empty values read as absent: Docker writes null, OCI writers omit the field. */
function norm(v: unknown): unknown {
  if (v === undefined || v === null || v === "") return null;
  if (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0) return null;
  if (typeof v === "object" && !Array.isArray(v)) {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  }
  return v;
}

const fmt = (v: unknown) => JSON.stringify(v);

function describeEntry(e: FsEntry): string {
  const bits = [e.type, "0" + e.mode.toString(8), `${e.uid}:${e.gid}`];
  if (e.linkTarget !== undefined) bits.push(`-> ${e.linkTarget}`);
  if (e.sha256) bits.push(`sha256:${e.sha256.slice(0, 12)} (${e.size} B)`);
  return bits.join(" ");
}

/**
 * Compares config, history (created_by, empty_layer) and the final root filesystem (paths, types,
 * modes, owners, link targets, content hashes; timestamps aside). `ignore` lists fields whose
 * difference the case explains (e.g. where upstream and 20.10 disagree).
 */
export function compareImages(ts: ReadImage, bk: ReadImage, ignore: readonly string[] = []): Difference[] {
  const diffs: Difference[] = [];
  const tc = (ts.config.config ?? {}) as Record<string, unknown>;
  const bc = (bk.config.config ?? {}) as Record<string, unknown>;
  for (const f of CONFIG_FIELDS) {
    const a = norm(tc[f]);
    const b = norm(bc[f]);
    if (fmt(a) !== fmt(b))
      diffs.push({ field: `config.${f}`, detail: `tsbuild ${fmt(a)} / BuildKit ${fmt(b)}` });
  }
  const th = (ts.config.history ?? []).map((h) => ({
    created_by: h.created_by ?? "",
    empty_layer: h.empty_layer ?? false,
  }));
  const bh = (bk.config.history ?? []).map((h) => ({
    created_by: h.created_by ?? "",
    empty_layer: h.empty_layer ?? false,
  }));
  const n = Math.max(th.length, bh.length);
  const hd: string[] = [];
  for (let i = 0; i < n; i++) {
    if (fmt(th[i]) !== fmt(bh[i])) hd.push(`[${i}] tsbuild ${fmt(th[i])} / BuildKit ${fmt(bh[i])}`);
  }
  if (hd.length) diffs.push({ field: "history", detail: hd.join("\n") });
  const fd: string[] = [];
  // "rootfs:/path" in `ignore` leaves out that path and what is below it.
  const skipped = ignore.filter((i) => i.startsWith("rootfs:")).map((i) => i.slice("rootfs:".length));
  const paths = [...new Set([...ts.fs.keys(), ...bk.fs.keys()])]
    .filter((p) => !skipped.some((s) => p === s || p.startsWith(s + "/")))
    .sort();
  for (const p of paths) {
    const a = ts.fs.get(p);
    const b = bk.fs.get(p);
    if (!a || !b) {
      fd.push(`${p}: ${a ? describeEntry(a) : "absent"} / ${b ? describeEntry(b) : "absent"}`);
      continue;
    }
    if (describeEntry(a) !== describeEntry(b)) fd.push(`${p}: ${describeEntry(a)} / ${describeEntry(b)}`);
  }
  if (fd.length) diffs.push({ field: "rootfs", detail: "tsbuild / BuildKit\n" + fd.join("\n") });
  return diffs.filter((d) => !ignore.includes(d.field));
}
