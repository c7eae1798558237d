import type { LayerEntry } from "./layer-entry";
import { tarName } from "./layer-tar";

/**
 * Orders tar names segment by segment with byte comparison, so a directory's contents follow it
 * directly ("a/", "a/b", "a.b" rather than "a/", "a.b", "a/b") and the order does not depend on
 * the locale. A trailing "/" is ignored.
 *
 * Compares UTF-16 code units up to the first difference, with "/" below every other character:
 * for ASCII that is the byte order segment by segment, with no allocation (a sort makes ~18
 * comparisons per entry; splitting and encoding both names in each took 406-446 ms for 200,000
 * names). A difference at a non-ASCII character goes to compareSegmentBytes.
 */
export function compareTarNames(a: string, b: string): number {
  const la = a.endsWith("/") ? a.length - 1 : a.length;
  const lb = b.endsWith("/") ? b.length - 1 : b.length;
  const n = Math.min(la, lb);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0x80 || cb >= 0x80) return compareSegmentBytes(a, b);
    return (ca === SLASH ? -1 : ca) - (cb === SLASH ? -1 : cb);
  }
  return la - lb;
}

const SLASH = 0x2f;

/** compareTarNames by its definition: each segment's UTF-8 bytes (any characters). */
export function compareSegmentBytes(a: string, b: string): number {
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
  const all: SortItem[] = [];
  for await (const entry of entries)
    all.push({ entry, last: entry.type === "hardlink" ? 1 : 0, name: tarName(entry) });
  all.sort((x, y) => x.last - y.last || compareTarNames(x.name, y.name));
  return all.map((x) => x.entry);
}

interface SortItem {
  entry: LayerEntry;
  last: number;
  name: string;
}
