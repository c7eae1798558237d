/**
 * Column-aligned text like docker's tabwriter output (`docker images`, `docker history`): each
 * column as wide as its widest cell plus three spaces; the last column is not padded.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, col) => Math.max(...all.map((row) => [...(row[col] ?? "")].length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, col) =>
        col === row.length - 1 ? cell : cell + " ".repeat((widths[col] ?? 0) - [...cell].length + 3),
      )
      .join("")
      .trimEnd();
  return all.map(line).join("\n") + "\n";
}
