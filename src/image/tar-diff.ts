import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as tarStream from "tar-stream";

/** The first difference between two layer tars, entry by entry in archive order. */
export interface TarDifference {
  /** The entry's path as stored in the tar (of the first tar; the second's when it has more). */
  path: string;
  /** What differs: "content", "mode", "mtime", "uid", … or "only in first"/"only in second". */
  field: string;
  before?: string;
  after?: string;
}

/** What of an entry the comparison looks at: every header field tsbuild writes, and the content. */
interface EntrySummary {
  name: string;
  fields: Record<string, string>;
}

/**
 * Compares two uncompressed tars entry by entry; undefined when every entry has the same header
 * fields and content. Reads both in full (content is hashed, never held), one after the other.
 */
export async function diffTars(first: string, second: string): Promise<TarDifference | undefined> {
  const a = await summarize(first);
  const b = await summarize(second);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return { path: y.name, field: "only in second" };
    if (y === undefined) return { path: x.name, field: "only in first" };
    if (x.name !== y.name) return { path: x.name, field: "name", before: x.name, after: y.name };
    for (const field of [...new Set([...Object.keys(x.fields), ...Object.keys(y.fields)])]) {
      if (x.fields[field] !== y.fields[field]) {
        const d: TarDifference = { path: x.name, field };
        if (x.fields[field] !== undefined) d.before = x.fields[field];
        if (y.fields[field] !== undefined) d.after = y.fields[field];
        return d;
      }
    }
  }
  return undefined;
}

async function summarize(file: string): Promise<EntrySummary[]> {
  const extract = tarStream.extract();
  const source = fs.createReadStream(file);
  source.on("error", (err) => extract.destroy(err));
  source.pipe(extract);
  const out: EntrySummary[] = [];
  for await (const entry of extract) {
    const h = entry.header;
    const hash = createHash("sha256");
    // tar-stream entries are byte streams (no encoding is set), so each chunk is a Buffer.
    for await (const chunk of entry) hash.update(chunk as Buffer);
    const fields: Record<string, string> = {
      type: String(h.type),
      mode: (h.mode ?? 0).toString(8),
      uid: String(h.uid ?? 0),
      gid: String(h.gid ?? 0),
      mtime: h.mtime?.toISOString() ?? "",
      size: String(h.size ?? 0),
      linkname: h.linkname ?? "",
      devmajor: String(h.devmajor ?? 0),
      devminor: String(h.devminor ?? 0),
      content: `sha256:${hash.digest("hex")}`,
    };
    // PAX records carry xattrs, long names and sub-second times.
    for (const [k, v] of Object.entries(h.pax ?? {})) fields[`pax ${k}`] = v;
    out.push({ name: h.name, fields });
  }
  return out;
}
