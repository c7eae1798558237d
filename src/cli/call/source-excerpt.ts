/**
 * BuildKit's errdefs.Source.Print: the file and first line, then the lines of the range with up
 * to two lines of context either side (four in all for a one-line range), the range marked `>>>`.
 *
 *   Dockerfile:2
 *   --------------------
 *      1 |     FROM alpine
 *      2 | >>> CMD echo hi
 *      3 |
 *   --------------------
 */
export function sourceExcerpt(file: string, text: string, startLine: number, endLine: number): string {
  const lines = text.split("\n");
  if (startLine < 1 || startLine > lines.length) return "";
  let start = startLine;
  let end = Math.min(endLine, lines.length);
  const pad = end === start ? 4 : 2;
  // The same widening loop as BuildKit's: one step each side per round, counted once more per round.
  for (let p = 0; p < pad; p++) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
  }
  let out = `${file}:${startLine}\n--------------------\n`;
  for (let i = start; i <= end; i++) {
    const mark = i >= startLine && i <= endLine ? ">>>" : "   ";
    out += ` ${String(i).padStart(3)} | ${mark} ${lines[i - 1]}\n`;
  }
  return out + "--------------------\n";
}
