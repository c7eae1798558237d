import type { LayerEntry } from "./layer-entry";
import { tarName } from "./layer-tar";

/**
 * Orders tar names segment by segment with byte comparison, so a directory's contents follow it
 * directly ("a/", "a/b", "a.b" rather than "a/", "a.b", "a/b") and the order does not depend on
 * the locale.
 */
export function compareTarNames(a: string, b: string): number {
  const sa = a.replace(/\/$/, "").split("/");
  const sb = b.replace(/\/$/, "").split("/");
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    const c = Buffer.compare(Buffer.from(sa[i]), Buffer.from(sb[i]));
    if (c !== 0) return c;
  }
  return sa.length - sb.length;
}

/**
 * Collects entries (metadata only; contents are opened later by the writer) and returns them in
 * the order layerTar expects, for producers that cannot stream in order. Hard links come after
 * every other entry so their targets always precede them.
 */
export async function sortEntries(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
): Promise<LayerEntry[]> {
  const all: { entry: LayerEntry; name: string }[] = [];
  for await (const entry of entries) all.push({ entry, name: tarName(entry) });
  all.sort((x, y) => {
    const hx = x.entry.type === "hardlink" ? 1 : 0;
    const hy = y.entry.type === "hardlink" ? 1 : 0;
    return hx - hy || compareTarNames(x.name, y.name);
  });
  return all.map((x) => x.entry);
}
