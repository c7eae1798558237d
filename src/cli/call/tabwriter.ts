/**
 * Go's text/tabwriter as buildx uses it (minwidth 0, tabwidth 0, padchar ' ', no flags): every
 * cell that ends in a tab is padded to its column's widest cell plus `padding`; the text after a
 * row's last tab is written as is.
 */
export function tabwrite(rows: readonly string[][], padding: number): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) => {
      const cells = row.map((cell, i) =>
        i < row.length - 1 ? cell + " ".repeat(widths[i] - [...cell].length + padding) : cell,
      );
      return cells.join("") + "\n";
    })
    .join("");
}
