import type { Difference } from "./compare";

/** One case's outcome, written by the worker and summed up by the global teardown. */
export interface CaseResult {
  id: string;
  title: string;
  upstream: string;
  /** Upstream assertions on tsbuild's build. */
  tsbuild: "pass" | "fail";
  tsbuildFailures: string[];
  knownFailure?: string;
  /** identical / differs / upstream-only (20.10 lacks a feature) / not-run (no dockerd). */
  comparison: "identical" | "differs" | "upstream-only" | "not-run";
  differences: Difference[];
  /** Upstream assertions on BuildKit 20.10's build (where 20.10 and upstream disagree). */
  buildkitFailures: string[];
  knownDifference?: string;
  skipReason?: string;
  ignored?: string[];
  seconds: { tsbuild: number; buildkit?: number };
}

export function summarize(results: CaseResult[]): string {
  const n = results.length;
  const pass = results.filter((r) => r.tsbuild === "pass").length;
  const known = results.filter((r) => r.tsbuild === "fail" && r.knownFailure).length;
  const unexpected = results.filter((r) => (r.tsbuild === "fail") !== Boolean(r.knownFailure)).length;
  const count = (k: CaseResult["comparison"]) => results.filter((r) => r.comparison === k).length;
  const fields = new Map<string, number>();
  for (const r of results) for (const d of r.differences) fields.set(d.field, (fields.get(d.field) ?? 0) + 1);
  const byField = [...fields.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([f, k]) => `${f} ${k}`)
    .join(", ");
  const notRun = count("not-run");
  return (
    `BuildKit suite: ${n} cases; upstream assertions: ${pass} pass, ${known} known failures, ${unexpected} unexpected; ` +
    `vs BuildKit 20.10: ${count("identical")} identical, ${count("differs")} differ${byField ? ` (${byField})` : ""}, ` +
    `${count("upstream-only")} upstream-only${notRun ? `, ${notRun} not compared` : ""}`
  );
}
