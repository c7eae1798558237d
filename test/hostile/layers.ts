import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { appendLayers, emptyImage, withConfig, type Image } from "../../src/image/image";
import type { Layer } from "../../src/image/layer";
import type { ImageConfig } from "../../src/image/config";

/**
 * Hand-made layer tars for the hostile cases: every header field as the case says, whatever a
 * sane writer would refuse (`..`, a size that lies, a type flag nobody knows, a PAX path that
 * overrides the ustar name).
 */
export interface RawEntry {
  name: string;
  /** The ustar type flag: "0" file, "1" hard link, "2" symlink, "3" char, "4" block, "5" dir, "6" fifo, "S" GNU sparse. */
  type?: string;
  data?: Buffer | string;
  /** Declared size, when it must differ from the data's. */
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** PAX records written in an extended header before the entry. */
  pax?: Record<string, string | Buffer>;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(e: RawEntry, size: number, type: string, name = e.name): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, "utf8");
  b.write(octal(e.mode ?? (type === "5" ? 0o755 : 0o644), 8), 100, "ascii");
  b.write(octal(e.uid ?? 0, 8), 108, "ascii");
  b.write(octal(e.gid ?? 0, 8), 116, "ascii");
  b.write(octal(size, 12), 124, "ascii");
  b.write(octal(1_700_000_000, 12), 136, "ascii");
  b.write("        ", 148, "ascii");
  b.write(type, 156, 1, "ascii");
  b.write(e.linkname ?? "", 157, 100, "utf8");
  b.write("ustar\u000000", 257, "ascii");
  b.write(octal(e.devmajor ?? 0, 8), 329, "ascii");
  b.write(octal(e.devminor ?? 0, 8), 337, "ascii");
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
  return b;
}

const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from("\n")]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

/** The tar of `entries`, with the two zero blocks at the end unless `end` is false. */
export function rawTar(entries: RawEntry[], end = true): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const records = Buffer.concat(
        Object.entries(e.pax).map(([k, v]) => paxRecord(k, Buffer.isBuffer(v) ? v : Buffer.from(v))),
      );
      parts.push(
        header({ name: "PaxHeader" }, records.length, "x", "PaxHeader"),
        records,
        pad(records.length),
      );
    }
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? "");
    const type = e.type ?? "0";
    parts.push(header(e, e.size ?? data.length, type), data, pad(data.length));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A layer whose blob is a file; the digests are given, not checked (a lying config is a case). */
export class FileLayer implements Layer {
  constructor(
    readonly file: string,
    private readonly info: { digest: string; diffId: string; size: number; mediaType: string },
  ) {}
  async digest(): Promise<string> {
    return this.info.digest;
  }
  async diffId(): Promise<string> {
    return this.info.diffId;
  }
  async size(): Promise<number> {
    return this.info.size;
  }
  async mediaType(): Promise<string> {
    return this.info.mediaType;
  }
  async compressed(): Promise<Readable> {
    return fs.createReadStream(this.file);
  }
  async uncompressed(): Promise<Readable> {
    const raw = fs.createReadStream(this.file);
    return this.info.mediaType.endsWith("+gzip") ? raw.pipe(zlib.createGunzip()) : raw;
  }
}

export interface LayerSpec {
  /** The uncompressed tar. */
  tar: Buffer;
  /** Store gzip-compressed (default: plain). */
  gzip?: boolean;
  /** The blob exactly as stored (a corrupt gzip); the diff_id is then that of `tar`. */
  blob?: Buffer;
  /** diff_id to claim in the config (default: the tar's). */
  diffId?: string;
}

/** Writes the layer's blob under `dir` and returns it as a Layer. */
export function fileLayer(dir: string, spec: LayerSpec): FileLayer {
  const blob = spec.blob ?? (spec.gzip ? zlib.gzipSync(spec.tar) : spec.tar);
  const digest = sha(blob);
  const file = path.join(dir, digest.slice(7));
  fs.writeFileSync(file, blob);
  const gz =
    spec.gzip === true || (spec.blob !== undefined && spec.blob[0] === 0x1f && spec.blob[1] === 0x8b);
  return new FileLayer(file, {
    digest,
    diffId: spec.diffId ?? sha(spec.tar),
    size: blob.length,
    mediaType: `application/vnd.oci.image.layer.v1.tar${gz ? "+gzip" : ""}`,
  });
}

/**
 * A gzip bomb as a layer, without ever holding or compressing the expansion: concatenated gzip
 * members (every gunzip reads them as one stream): a tar header for one file of `bytes` zeros,
 * then one 16 MiB member of zeros repeated, then padding and the end blocks. `bytes` must be a
 * multiple of 16 MiB. The claimed diff_id is computed by hashing the expansion once (streaming).
 */
export function gzipBombLayer(dir: string, name: string, bytes: number): FileLayer {
  const chunk = 16 << 20;
  const zeros = Buffer.alloc(chunk);
  const head = header({ name }, bytes, "0");
  const tail = Buffer.alloc(1024);
  const zHead = zlib.gzipSync(head);
  const zZeros = zlib.gzipSync(zeros, { level: 9 });
  const zTail = zlib.gzipSync(tail);
  const file = path.join(dir, `bomb-${name.replace(/\W/g, "_")}-${bytes}`);
  const fd = fs.openSync(file, "w");
  const blobHash = createHash("sha256");
  const tarHash = createHash("sha256");
  const put = (z: Buffer, plain: Buffer): void => {
    fs.writeSync(fd, z);
    blobHash.update(z);
    tarHash.update(plain);
  };
  put(zHead, head);
  for (let i = 0; i < bytes / chunk; i++) put(zZeros, zeros);
  put(zTail, tail);
  fs.closeSync(fd);
  return new FileLayer(file, {
    digest: `sha256:${blobHash.digest("hex")}`,
    diffId: `sha256:${tarHash.digest("hex")}`,
    size: fs.statSync(file).size,
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
  });
}

/** An amd64 image of `layers` on top of `base` (or of nothing). */
export async function imageOf(
  layers: Layer[],
  base?: Image,
  mutate?: (c: ImageConfig) => void,
): Promise<Image> {
  const start =
    base ??
    withConfig(emptyImage({ architecture: "amd64", os: "linux" }), (c) => {
      c.created = "2024-01-02T03:04:05Z";
    });
  const img = await appendLayers(start, layers);
  return mutate ? withConfig(img, mutate) : img;
}
