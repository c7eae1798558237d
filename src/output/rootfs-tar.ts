import { writeToDestination } from "./write-stream";
import type { Readable, Writable } from "node:stream";
import * as tar from "tar-stream";
import type { Image } from "../image/image";
import {
  deviceEntry,
  directoryEntry,
  fileEntry,
  hardlinkEntry,
  symlinkEntry,
  type LayerEntry,
  type LayerEntryBase,
} from "../image/layer-entry";
import { layerTar, OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from "../image/layer-tar";
import { installRawPaxXattrs, rawPaxXattr } from "../rootfs/unpack/pax-raw";

function normalize(name: string): string {
  return name.replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
}

function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1)) out.push(p.slice(0, i));
  return out;
}

function toEntry(h: tar.Header, p: string, stream: Readable): LayerEntry | undefined {
  const base: LayerEntryBase = {
    path: p,
    mode: (h.mode ?? 0) & 0o7777,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    mtimeMs: h.mtime?.getTime() ?? 0,
  };
  const xattrs: Record<string, Buffer> = {};
  // tar-stream declares pax loosely; it holds the pax records' string values.
  const pax = (h.pax as Record<string, string> | null | undefined) ?? {};
  for (const [k, v] of Object.entries(pax))
    if (k.startsWith("SCHILY.xattr.")) xattrs[k.slice(13)] = rawPaxXattr(pax, k.slice(13)) ?? Buffer.from(v);
  if (Object.keys(xattrs).length > 0) base.xattrs = xattrs;
  switch (h.type) {
    case "file":
    case "contiguous-file":
      return fileEntry(base, h.size ?? 0, () => stream);
    case "directory":
      return directoryEntry(base);
    case "symlink":
      return symlinkEntry(base, h.linkname ?? "");
    case "link":
      return hardlinkEntry(base, normalize(h.linkname ?? ""));
    case "character-device":
    case "block-device":
    case "fifo":
      return deviceEntry(
        base,
        h.type === "character-device" ? "char-device" : h.type,
        h.devmajor ?? 0,
        h.devminor ?? 0,
      );
    default:
      return undefined;
  }
}

/**
 * The image's flattened root filesystem as entries, in one pass over the layers from the top
 * down: an entry is emitted unless a higher layer already emitted that path, deleted it or an
 * ancestor (whiteout), made an ancestor opaque, or replaced an ancestor directory with a
 * non-directory. Whiteout markers themselves are never emitted.
 *
 * Xattr values keep their bytes (../rootfs/unpack/pax-raw.ts). Known gap: a hard link whose target was replaced by a higher layer links to the new file.
 */
async function* flattenedEntries(image: Image): AsyncGenerator<LayerEntry> {
  const emitted = new Set<string>();
  const nonDirs = new Set<string>();
  const deleted = new Set<string>();
  const opaque = new Set<string>();
  for (let i = image.layers.length - 1; i >= 0; i--) {
    const layer = image.layers[i];
    if (!layer) continue;
    const newDeleted: string[] = [];
    const newOpaque: string[] = [];
    installRawPaxXattrs();
    const extract = tar.extract();
    const source = await layer.uncompressed();
    source.on("error", (err) => extract.destroy(err));
    source.pipe(extract);
    for await (const stream of extract) {
      const p = normalize(stream.header.name);
      const slash = p.lastIndexOf("/");
      const base = p.slice(slash + 1);
      const parent = slash >= 0 ? p.slice(0, slash) : "";
      let entry: LayerEntry | undefined;
      if (base === OPAQUE_WHITEOUT) newOpaque.push(parent);
      else if (base.startsWith(WHITEOUT_PREFIX))
        newDeleted.push(
          parent ? `${parent}/${base.slice(WHITEOUT_PREFIX.length)}` : base.slice(WHITEOUT_PREFIX.length),
        );
      else if (p !== "" && !emitted.has(p) && !deleted.has(p)) {
        const up = ancestors(p);
        if (!up.some((a) => nonDirs.has(a) || deleted.has(a) || opaque.has(a)))
          // tar-stream's entry stream is a Readable at run time; its types say otherwise.
          entry = toEntry(stream.header, p, stream as unknown as Readable);
      }
      if (entry) {
        emitted.add(p);
        if (entry.type !== "directory") nonDirs.add(p);
        yield entry; // layerTar reads the content before asking for the next entry
      } else {
        stream.resume();
      }
    }
    for (const d of newDeleted) deleted.add(d);
    for (const o of newOpaque) opaque.add(o);
  }
}

/** type=tar: the flattened root filesystem of `image` as one tar. */
export async function writeRootfsTar(image: Image, dest: string | Writable): Promise<void> {
  await writeToDestination(layerTar(flattenedEntries(image), { readAhead: 0 }), dest, "root filesystem tar");
}
