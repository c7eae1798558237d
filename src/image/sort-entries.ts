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
 * A string whose code-unit order is compareTarNames's order: the name's UTF-8 bytes as latin1
 * characters (one per byte), the trailing "/" dropped and each "/" made "\0", which sorts before
 * every byte a path segment can hold, so "a/b" < "a.b" and a segment-wise prefix comes first.
 * Sorting by keys made once per entry: compareTarNames split and re-encoded both names in every
 * comparison (~18 per entry): sorting 200,000 shuffled names took 406-446 ms that way, 182-234 ms
 * by keys.
 */
export function tarSortKey(name: string): string {
  const bare = name.endsWith("/") ? name.slice(0, -1) : name;
  // ASCII (nearly every path) is its own UTF-8; others go through their bytes.
  const bytes = !NON_ASCII.test(bare) ? bare : Buffer.from(bare, "utf8").toString("latin1");
  return bytes.replaceAll("/", "\0");
}

const NON_ASCII = /[\u0080-\uffff]/;

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
    all.push({ entry, last: entry.type === "hardlink" ? 1 : 0, key: tarSortKey(tarName(entry)) });
  all.sort((x, y) => x.last - y.last || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return all.map((x) => x.entry);
}

interface SortItem {
  entry: LayerEntry;
  last: number;
  key: string;
}
