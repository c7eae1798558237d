import type { BuildResult } from "../../engine/build-options";
import { formatSize } from "../../cache/units";
import { seconds } from "../human-time";

/**
 * Warnings after the build, as buildx's printWarnings shows lint results:
 *
 *    1 warning found:
 *    - JSONArgsRecommended: JSON arguments recommended for CMD ... (line 2)
 *
 * The count line is yellow when `color` (a terminal without NO_COLOR).
 */
export function formatWarnings(
  warnings: ReadonlyArray<{ rule: string; message: string; line?: number }>,
  color = false,
): string {
  if (warnings.length === 0) return "";
  const count = warnings.length === 1 ? "1 warning found:" : `${warnings.length} warnings found:`;
  const head = color ? `\x1b[33m${count}\n\x1b[0m` : `${count}\n`;
  const lines = warnings.map(
    (w) => ` - ${w.rule}: ${w.message}${w.line !== undefined ? ` (line ${w.line})` : ""}\n`,
  );
  return `\n ${head}${lines.join("")}`;
}

/**
 * The final summary on stderr: what was built, how long it took, how much came from the cache,
 * and the layers with their sizes, said compressed or not by their media types (the local image's
 * layers are plain tars; an output compresses its own copies).
 */
export function formatSummary(result: BuildResult, tags: readonly string[]): string {
  const cached = result.steps.filter((s) => s.cached).length;
  const layers = result.manifest.layers;
  const total = layers.reduce((n, l) => n + l.size, 0);
  const lines = [
    `Built ${tags.length > 0 ? tags.join(", ") : "image"} in ${seconds(result.durationMs)}, ${cached}/${result.steps.length} steps cached`,
    `  digest    ${result.digest}`,
    `  image ID  ${result.configDigest}`,
    `  layers    ${layers.length} (${formatSize(total)}${sizeKind(layers)})`,
  ];
  for (const layer of layers) lines.push(`    ${layer.digest.slice(0, 19)}  ${formatSize(layer.size)}`);
  for (const out of result.outputs)
    lines.push(`  output    ${out.type}${"dest" in out ? ` ${out.dest}` : ""}`);
  return lines.join("\n") + "\n";
}

/** " compressed" or " uncompressed" when every layer's media type says so; "" for a mix. */
function sizeKind(layers: readonly { mediaType: string }[]): string {
  const compressed = (t: string) => /[+.](gzip|zstd)$/.test(t);
  if (layers.length > 0 && layers.every((l) => compressed(l.mediaType))) return " compressed";
  if (layers.length > 0 && layers.every((l) => !compressed(l.mediaType))) return " uncompressed";
  return "";
}
