import { Readable } from "node:stream";
import * as tar from "tar-stream";
import type { LayerEntry } from "../../src/image/layer-entry";

export interface ReadEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string | null;
  uname: string;
  gname: string;
  pax: Record<string, string> | null;
  content: Buffer;
}

/** Parses a tar with tar-stream (an independent reader), returning headers and contents. */
export async function readTar(stream: Readable): Promise<ReadEntry[]> {
  const extract = tar.extract();
  stream.pipe(extract);
  const out: ReadEntry[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const h = entry.header;
    out.push({
      name: h.name,
      type: h.type ?? "file",
      mode: h.mode ?? 0,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      size: h.size ?? 0,
      mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000),
      linkname: h.linkname ?? null,
      uname: h.uname ?? "",
      gname: h.gname ?? "",
      pax: (h.pax as Record<string, string> | undefined) ?? null,
      content: Buffer.concat(chunks),
    });
  }
  return out;
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const T = Date.UTC(2024, 0, 2, 3, 4, 5);

export function file(path: string, content: string | Buffer, extra: Partial<LayerEntry> = {}): LayerEntry {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return {
    type: "file",
    path,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtimeMs: T,
    size: buf.length,
    open: () => Readable.from([buf]),
    ...extra,
  } as LayerEntry;
}

export function dir(path: string, extra: Partial<LayerEntry> = {}): LayerEntry {
  return { type: "directory", path, mode: 0o755, uid: 0, gid: 0, mtimeMs: T, ...extra } as LayerEntry;
}

export function symlink(path: string, target: string): LayerEntry {
  return { type: "symlink", path, target, mode: 0o777, uid: 0, gid: 0, mtimeMs: T };
}
