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
  if (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) return null;
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

interface HistoryLine {
  created_by: string;
  empty_layer: boolean;
}

const historyOf = (img: ReadImage, rewrite: (s: string) => string = (s) => s): HistoryLine[] =>
  (img.config.history ?? []).map((h) => ({
    created_by: rewrite(h.created_by ?? ""),
    empty_layer: h.empty_layer ?? false,
  }));

/**
 * An upstream created_by as BuildKit 20.10's frontend (1.2) writes the same instruction, for
 * the formats where 20.10 is older: EXPOSE printed from a map (`EXPOSE map[80/tcp:{}]`, upstream
 * `EXPOSE [80/tcp]`), COPY/ADD without their --chown/--chmod flags (upstream keeps them).
 */
export function as2010(createdBy: string): string {
  const expose = /^EXPOSE \[(.*)\]$/.exec(createdBy);
  if (expose)
    return `EXPOSE map[${expose[1]
      .split(" ")
      .filter(Boolean)
      .map((p) => `${p}:{}`)
      .join(" ")}]`;
  return createdBy.replace(/^(COPY|ADD)((?: --(?:chown|chmod)=\S+)+)(?= )/, "$1");
}

/**
 * History differences, aligned on created_by (longest common subsequence) so that one missing
 * entry reads as one difference, not as every later entry shifted: "[i] tsbuild {..} / BuildKit
 * {..}" for an entry both have (empty_layer differs) or a replaced one, "[i] only in tsbuild/BuildKit {..}".
 */
function historyDiff(a: HistoryLine[], b: HistoryLine[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] =
        a[i].created_by === b[j].created_by ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  const onlyA: HistoryLine[] = [];
  const onlyB: HistoryLine[] = [];
  const flush = () => {
    // Unmatched runs on both sides pair up as replacements; the rest are one-sided.
    while (onlyA.length && onlyB.length)
      out.push(`[${j - onlyB.length}] tsbuild ${fmt(onlyA.shift())} / BuildKit ${fmt(onlyB.shift())}`);
    for (const x of onlyA.splice(0)) out.push(`[-] only in tsbuild ${fmt(x)}`);
    for (const x of onlyB.splice(0)) out.push(`[-] only in BuildKit ${fmt(x)}`);
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[i].created_by === b[j].created_by) {
      flush();
      if (a[i].empty_layer !== b[j].empty_layer)
        out.push(`[${j}] tsbuild ${fmt(a[i])} / BuildKit ${fmt(b[j])}`);
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) onlyA.push(a[i++]);
    else onlyB.push(b[j++]);
  }
  flush();
  return out;
}

/**
 * Compares config, history (created_by, empty_layer) and the final root filesystem (paths, types,
 * modes, owners, link targets, content hashes; timestamps aside). `ignore` lists fields whose
 * difference the case explains (e.g. where upstream and 20.10 disagree).
 */
export function compareImages(ts: ReadImage, bk: ReadImage, ignore: readonly string[] = []): Difference[] {
  const diffs: Difference[] = [];
  const tc = ts.config.config ?? {};
  const bc = bk.config.config ?? {};
  for (const f of CONFIG_FIELDS) {
    const a = norm(tc[f]);
    const b = norm(bc[f]);
    if (fmt(a) !== fmt(b))
      diffs.push({ field: `config.${f}`, detail: `tsbuild ${fmt(a)} / BuildKit ${fmt(b)}` });
  }
  const hd = historyDiff(historyOf(ts, as2010), historyOf(bk));
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
