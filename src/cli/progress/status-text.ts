import type { TransferStatus } from "../../engine/progress";

const UNITS = ["kB", "MB", "GB", "TB"];

/** Decimal byte sizes as BuildKit's progress prints them (`%.2f` of units.Bytes): 32B, 4.10kB, 3.40MB. */
export function byteText(n: number): string {
  if (n < 1000) return `${n}B`;
  let value = n;
  let unit = "B";
  for (const u of UNITS) {
    if (value < 1000) break;
    value /= 1000;
    unit = u;
  }
  return `${value.toFixed(2)}${unit}`;
}

/** Bytes per second over `elapsedMs`, or "" under 0.1 s (a rate of a blink says nothing). */
export function rateText(bytes: number, elapsedMs: number): string {
  return elapsedMs >= 100 && bytes > 0 ? `${byteText(Math.round((bytes * 1000) / elapsedMs))}/s` : "";
}

/**
 * A status line as `--progress=plain` prints it (BuildKit's printer): the name, bytes so far and
 * total when known, the time since the status started when over 10 ms, and "done":
 * `sha256:… 1.05MB / 3.40MB 0.3s done`.
 */
export function plainStatus(s: TransferStatus, elapsedMs: number): string {
  const current = s.current !== undefined && s.current !== 0 ? ` ${byteText(s.current)}` : "";
  const total = s.total !== undefined && s.total !== 0 ? ` / ${byteText(s.total)}` : "";
  const time = elapsedMs > 10 ? ` ${(elapsedMs / 1000).toFixed(1)}s` : "";
  return `${s.status}${current}${total}${time}${s.done ? " done" : ""}`;
}

/** A 20-cell bar for a transfer in progress: `[=========>          ]`. */
export function progressBar(current: number, total: number): string {
  const cells = 20;
  const filled = Math.min(cells, Math.floor((current / total) * cells));
  const head = filled < cells ? ">" : "";
  return `[${"=".repeat(filled)}${head}${" ".repeat(Math.max(0, cells - filled - head.length))}]`;
}

/** Digests shortened for a terminal row, so the bytes and the bar stay on screen. */
export function shortDigests(text: string): string {
  return text.replace(/sha256:([a-f0-9]{12})[a-f0-9]{52}/g, "sha256:$1…");
}
