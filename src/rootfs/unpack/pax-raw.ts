/**
 * Raw bytes of PAX xattr records. tar-stream decodes every PAX value as UTF-8, which destroys a
 * binary value such as `security.capability` (any byte ≥ 0x80: cap_setuid and up). Its decoder is
 * a plain export of its headers module, so it is wrapped here, once: the decoded object is left
 * as it was, and the raw value of each `SCHILY.xattr.*` record is attached under a symbol that no
 * other reader sees. It must be the very instance tar-stream's extractor calls: see
 * ./tar-stream-headers.ts.
 */
import { tarStreamHeaders } from "./tar-stream-headers";

export const RAW_XATTRS: unique symbol = Symbol("tsbuild.rawPaxXattrs");

const XATTR_KEY = "SCHILY.xattr.";

type PaxRecords = Record<string, string> & { [RAW_XATTRS]?: Record<string, Buffer> };

let installed = false;

/** Wraps tar-stream's decodePax (idempotent). */
export function installRawPaxXattrs(): void {
  if (installed) return;
  installed = true;
  const headers = tarStreamHeaders();
  const decode = headers.decodePax.bind(headers);
  headers.decodePax = (buf: Buffer): Record<string, string> => {
    // tar-stream's decodePax returns plain records; this wrapper adds the raw map.
    const result = decode(buf) as PaxRecords;
    const raw = rawXattrRecords(buf);
    if (raw !== undefined) Object.defineProperty(result, RAW_XATTRS, { value: raw, enumerable: false });
    return result;
  };
}

/** The SCHILY.xattr.* records of a PAX block as raw bytes (same parsing as tar-stream's). */
export function rawXattrRecords(block: Buffer): Record<string, Buffer> | undefined {
  let out: Record<string, Buffer> | undefined;
  let buf = block;
  while (buf.length > 0) {
    let i = 0;
    while (i < buf.length && buf[i] !== 0x20) i++;
    const len = parseInt(buf.subarray(0, i).toString("latin1"), 10);
    if (!len || len > buf.length) break;
    const record = buf.subarray(i + 1, len - 1);
    const eq = record.indexOf(0x3d);
    if (eq < 0) break;
    const key = record.subarray(0, eq).toString("utf8");
    if (key.startsWith(XATTR_KEY))
      (out ??= {})[key.slice(XATTR_KEY.length)] = Buffer.from(record.subarray(eq + 1));
    buf = buf.subarray(len);
  }
  return out;
}

/** The raw value of xattr `name` in a header's PAX records, when the wrapper saw it. */
export function rawPaxXattr(pax: Record<string, string>, name: string): Buffer | undefined {
  // headers decoded through the wrapper above carry the raw map (or not: optional).
  return (pax as PaxRecords)[RAW_XATTRS]?.[name];
}
