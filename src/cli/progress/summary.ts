import type { BuildResult } from "../../engine/build-options";
import { formatSize } from "../../cache/units";
import { seconds } from "../human-time";

/** Warnings after the build, like buildx prints lint results: rule, message and line. */
export function formatWarnings(
  warnings: ReadonlyArray<{ rule: string; message: string; line?: number; file?: string }>,
): string {
  return warnings
    .map((w) => {
      const where =
        w.line !== undefined ? ` (${w.file !== undefined ? `${w.file}:` : "line "}${w.line})` : "";
      return `WARNING: ${w.rule}: ${w.message}${where}\n`;
    })
    .join("");
}

/**
 * The final summary on stderr: what was built, how long it took, how much came from the cache,
 * and the layers with their (compressed) sizes.
 */
export function formatSummary(result: BuildResult, tags: readonly string[]): string {
  const cached = result.steps.filter((s) => s.cached).length;
  const layers = result.manifest.layers;
  const total = layers.reduce((n, l) => n + l.size, 0);
  const lines = [
    `Built ${tags.length > 0 ? tags.join(", ") : "image"} in ${seconds(result.durationMs)}, ${cached}/${result.steps.length} steps cached`,
    `  digest    ${result.digest}`,
    `  image ID  ${result.configDigest}`,
    `  layers    ${layers.length} (${formatSize(total)} compressed)`,
  ];
  for (const layer of layers) lines.push(`    ${layer.digest.slice(0, 19)}  ${formatSize(layer.size)}`);
  for (const out of result.outputs)
    lines.push(`  output    ${out.type}${"dest" in out ? ` ${out.dest}` : ""}`);
  return lines.join("\n") + "\n";
}
