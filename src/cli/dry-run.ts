/** `--dry-run`: the plan of the build — stages, steps, short cache keys, what the cache holds. */
import type { Options } from "yargs";
import type { DryRunPlan } from "../engine/dry-run";

export const dryRunOptionSpecs: Record<string, Options> = {
  "dry-run": {
    type: "boolean",
    describe: "print the plan (stages, steps, short cache keys, which are cached) and run nothing",
  },
};

/** Short keys as BuildKit's progress shows digests: the first 12 hex digits. */
const SHORT = 12;

/**
 * The plan as text, one line per step:
 * `  [build 2/4] RUN make   3f2a9c1d7e4b  cached` (or `run`); config steps have no key.
 */
export function formatDryRun(p: DryRunPlan): string {
  const layerSteps = p.stages.flatMap((s) => s.steps.filter((t) => t.cacheKey !== undefined));
  const cached = layerSteps.filter((t) => t.cached === true).length;
  const lines = [
    `plan: ${p.stages.length} stage${p.stages.length === 1 ? "" : "s"} for ${p.platform}, ` +
      `${cached}/${layerSteps.length} layer steps cached (nothing was run)`,
  ];
  const width = Math.min(
    72,
    Math.max(0, ...p.stages.flatMap((s) => s.steps.map((t) => `${t.label} ${t.display}`.length))),
  );
  for (const stage of p.stages) {
    const target = stage.index === p.target ? " (target)" : "";
    lines.push(
      `stage ${stage.index}${stage.name !== undefined ? ` ${stage.name}` : ""}${target}: FROM ${stage.base}`,
    );
    for (const step of stage.steps) {
      let text = `${step.label} ${step.display}`;
      if (text.length > width) text = `${text.slice(0, width - 3)}...`;
      const status =
        step.cacheKey === undefined
          ? "config"
          : `${step.cacheKey.slice(0, SHORT)}  ${step.cached === true ? "cached" : "run"}`;
      lines.push(`  ${text.padEnd(width)}  ${status}`);
    }
  }
  for (const w of p.warnings)
    lines.push(`warning: ${w.rule}: ${w.message}${w.line !== undefined ? ` (line ${w.line})` : ""}`);
  return lines.join("\n") + "\n";
}
