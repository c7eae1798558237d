/**
 * Deterministic POSIX (ustar + PAX) tar header encoding, as Go's archive/tar writes it. We encode
 * headers ourselves rather than through tar-stream's packer because layers need byte-exact
 * control: PAX records with binary xattr values (security.capability), byte-correct record
 * lengths for UTF-8 names, PAX size/uid/gid overflow, and no atime/ctime or uname/gname.
 */

export type TarType = "file" | "hardlink" | "symlink" | "char-device" | "block-device" | "directory" | "fifo";

export interface TarHeader {
  /** Entry name; directories get a trailing "/" here. */
  name: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Buffer>;
}

export const BLOCK = 512;

const TYPEFLAG: Record<TarType, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  "char-device": "3",
  "block-device": "4",
  directory: "5",
  fifo: "6",
};

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** Largest value an octal field of `width` bytes (with its NUL) holds. */
function octalMax(width: number): number {
  return 8 ** (width - 1) - 1;
}

function writeOctal(buf: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, "0");
  buf.write(digits, offset, width - 1, "ascii");
  buf[offset + width - 1] = 0;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0x7f) return false;
  }
  return true;
}

/** Splits a long ASCII name into ustar prefix (≤155) + name (≤100), or undefined if it cannot. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (name.length <= 100) return { prefix: "", name };
  if (!isAscii(name)) return undefined;
  // The split must happen at a "/" with ≤155 bytes before it and ≤100 after it.
  const maxPrefix = Math.min(155, name.length - 1);
  for (let i = maxPrefix; i > 0; i--) {
    if (name[i] === "/" && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
      return { prefix: name.slice(0, i), name: name.slice(i + 1) };
    }
  }
  return undefined;
}

/** One PAX record "<len> <key>=<value>\n", where <len> counts the whole record in bytes. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.byteLength(key) + value.length + 3; // " " "=" "\n"
  let len = body + String(body).length;
  while (body + String(len).length !== len) len = body + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`), value, Buffer.from("\n")]);
}

function ustarBlock(h: {
  name: string;
  prefix: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(h.name, 0, 100, "utf8");
  writeOctal(buf, 100, 8, h.mode & 0o7777);
  writeOctal(buf, 108, 8, h.uid);
  writeOctal(buf, 116, 8, h.gid);
  writeOctal(buf, 124, 12, h.size);
  writeOctal(buf, 136, 12, h.mtime);
  buf.fill(0x20, 148, 156); // checksum counts as spaces while summing
  buf.write(h.typeflag, 156, 1, "ascii");
  buf.write(h.linkname, 157, 100, "utf8");
  buf.write("ustar\x0000", 257, 8, "ascii");
  writeOctal(buf, 329, 8, h.devmajor);
  writeOctal(buf, 337, 8, h.devminor);
  buf.write(h.prefix, 345, 155, "utf8");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += buf[i];
  writeOctal(buf, 148, 7, sum);
  buf[155] = 0x20;
  return buf;
}

/** Truncates to at most `max` UTF-8 bytes (a placeholder; the PAX record carries the real value). */
function truncateBytes(s: string, max: number): string {
  let out = s;
  while (Buffer.byteLength(out) > max) out = out.slice(0, -1);
  return out;
}

/**
 * Encodes one entry's header: a PAX extended header (typeflag "x") when some field does not fit
 * ustar, then the ustar block. Content and padding are the caller's.
 */
export function encodeTarHeader(h: TarHeader): Buffer {
  const pax: Record<string, Buffer> = {};
  const split = isAscii(h.name) ? splitUstarName(h.name) : undefined;
  if (!split) pax.path = Buffer.from(h.name);
  const linkname = h.linkname ?? "";
  if (linkname.length > 0 && (!isAscii(linkname) || linkname.length > 100))
    pax.linkpath = Buffer.from(linkname);
  if (h.size > octalMax(12)) pax.size = Buffer.from(String(h.size));
  if (h.uid > octalMax(8)) pax.uid = Buffer.from(String(h.uid));
  if (h.gid > octalMax(8)) pax.gid = Buffer.from(String(h.gid));
  const mtime = Math.min(Math.max(0, Math.floor(h.mtime)), octalMax(12));
  for (const [key, value] of Object.entries(h.xattrs ?? {})) pax[`SCHILY.xattr.${key}`] = value;

  const main = ustarBlock({
    name: split ? split.name : truncateBytes(h.name, 100),
    prefix: split ? split.prefix : "",
    mode: h.mode,
    uid: pax.uid ? 0 : h.uid,
    gid: pax.gid ? 0 : h.gid,
    size: pax.size ? 0 : h.size,
    mtime,
    typeflag: TYPEFLAG[h.type],
    linkname: pax.linkpath ? truncateBytes(linkname, 100) : linkname,
    devmajor: h.devmajor ?? 0,
    devminor: h.devminor ?? 0,
  });
  const keys = Object.keys(pax).sort();
  if (keys.length === 0) return main;

  const records = Buffer.concat(keys.map((k) => paxRecord(k, pax[k])));
  // Go names the extended header "<dir>/PaxHeaders.0/<base>"; any stable name works.
  const base = h.name.replace(/\/$/, "");
  const slash = base.lastIndexOf("/");
  const paxName = truncateBytes(
    slash >= 0 ? `${base.slice(0, slash)}/PaxHeaders.0/${base.slice(slash + 1)}` : `PaxHeaders.0/${base}`,
    100,
  );
  const paxBlock = ustarBlock({
    name: paxName,
    prefix: "",
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime,
    typeflag: "x",
    linkname: "",
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxBlock, records, padding(records.length), main]);
}
