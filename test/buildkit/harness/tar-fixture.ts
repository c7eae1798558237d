import * as zlib from "node:zlib";

/**
 * Small tar archives for cases that ADD one (upstream builds them with Go's archive/tar):
 * ustar headers, regular files and directories, fixed mtime, no compression unless gzip().
 */
export interface TarFixtureEntry {
  name: string;
  content?: string;
  mode?: number;
  dir?: boolean;
  /** A symlink entry with this target. */
  symlink?: string;
}

function octalField(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

export function tarOf(entries: TarFixtureEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.content ?? "");
    const h = Buffer.alloc(512);
    h.write(e.dir ? e.name.replace(/\/?$/, "/") : e.name, 0, 100, "utf8");
    h.write(octalField(e.mode ?? (e.dir ? 0o755 : 0o644), 8), 100, "ascii");
    h.write(octalField(0, 8), 108, "ascii");
    h.write(octalField(0, 8), 116, "ascii");
    h.write(octalField(e.dir || e.symlink !== undefined ? 0 : body.length, 12), 124, "ascii");
    h.write(octalField(1700000000, 12), 136, "ascii");
    h.write("        ", 148, "ascii");
    h.write(e.dir ? "5" : e.symlink !== undefined ? "2" : "0", 156, "ascii");
    if (e.symlink !== undefined) h.write(e.symlink, 157, 100, "utf8");
    h.write("ustar\0" + "00", 257, "ascii");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
    blocks.push(h);
    if (!e.dir && e.symlink === undefined && body.length) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function gzip(data: Buffer): Buffer {
  return zlib.gzipSync(data);
}
