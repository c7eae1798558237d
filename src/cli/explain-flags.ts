/** `build --explain` (the full diff behind each cache miss) and `build --verify` (reproducibility). */
import type { ArgumentsCamelCase, Options } from "yargs";
import type { BuildResult } from "../engine/build-options";
import { formatChanges } from "../engine/miss-explain";
import type { VerifyReport } from "../engine/verify";

export const explainOptionSpecs: Record<string, Options> = {
  explain: {
    type: "boolean",
    describe: "after the build, print every input that changed for each step that missed the cache",
  },
  verify: {
    type: "boolean",
    describe:
      "rebuild from an empty temporary cache and check the image is byte-identical (SOURCE_DATE_EPOCH: last git commit); exit 1 if not",
  },
};

export interface ExplainFlags {
  explain: boolean;
  verify: boolean;
}

export function parseExplainFlags(args: ArgumentsCamelCase): ExplainFlags {
  return { explain: args.explain === true, verify: args.verify === true };
}

/**
 * `--explain`: each step that ran, why, and every changed input, as
 *
 *   CACHE MISS [2/3] COPY src/ /src/: src/main.js changed (xxh64 1a2b…→3c4d…)
 *     ~ src/main.js: file 0644 xxh64:1a2b… → file 0644 xxh64:3c4d…
 */
export function formatExplain(result: BuildResult): string {
  const lines: string[] = [];
  for (const step of result.steps) {
    if (step.cached || step.miss === undefined) continue;
    lines.push(`CACHE MISS ${step.display}: ${step.miss.message}`);
    for (const l of formatChanges(step.miss.inputs)) lines.push(`  ${l}`);
  }
  if (lines.length === 0) return "\nNo cache misses.\n";
  return `\nCache misses (${result.steps.filter((s) => !s.cached).length}/${result.steps.length} steps):\n${lines.join("\n")}\n`;
}

/** `--verify`'s verdict: one line per layer, the config and the image, then the conclusion. */
export function formatVerify(report: VerifyReport): string {
  const epochFrom =
    report.epochFrom === "git" ? "the last git commit" : report.epochFrom === "given" ? "given" : "default";
  const lines = [
    `\nverify: SOURCE_DATE_EPOCH=${report.sourceDateEpoch} (${epochFrom}); rebuilt from an empty cache`,
  ];
  for (const l of report.layers) {
    const what = l.step ?? "(a base image or empty layer)";
    if (l.identical) lines.push(`  layer ${l.index + 1}  identical  ${l.first.slice(0, 19)}  ${what}`);
    else {
      lines.push(
        `  layer ${l.index + 1}  DIFFERS    ${l.first.slice(0, 19)} ≠ ${l.second.slice(0, 19)}  ${what}`,
      );
      if (l.difference) lines.push(`    first difference: ${describeDifference(l.difference)}`);
    }
  }
  const verdict = (identical: boolean): string => (identical ? "identical" : "DIFFERS  ");
  lines.push(`  config   ${verdict(report.config.identical)}  ${report.config.first}`);
  lines.push(`  image    ${verdict(report.image.identical)}  ${report.image.first}`);
  if (report.reproducible) lines.push("reproducible: the rebuild is byte-identical");
  else {
    const bad = report.layers.find((l) => !l.identical);
    const where = bad?.difference ? `: ${bad.difference.path} (${bad.difference.field})` : "";
    lines.push(
      `NOT reproducible${bad ? ` (layer ${bad.index + 1}${bad.step ? `, ${bad.step}` : ""}${where})` : " (config differs)"}`,
    );
  }
  return lines.join("\n") + "\n";
}

function describeDifference(d: VerifyReport["layers"][number]["difference"] & object): string {
  const values =
    d.before !== undefined || d.after !== undefined ? `: ${d.before ?? "none"} → ${d.after ?? "none"}` : "";
  return `${d.path} (${d.field}${values})`;
}
