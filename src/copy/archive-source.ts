import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { applyArchive, isArchive } from "../rootfs/unpack/archive";
import type { CopyGroup, CopyItem } from "./copy-item";
import { LayerView } from "../rootfs/layer-view";
import { contentXattrs } from "../rootfs/overlay";
import { asBuffer } from "../bytes";
import { DEFAULT_NETWORK_LIMITS } from "../net/limits";

/** Bytes read to decide whether a file is an archive: room for a whole bzip2 block. */
const SNIFF_BYTES = 1024 * 1024;

/** Whether the content `open` gives is a tar (plain, gzip, bzip2, xz or zstd), judged on content. */
export async function looksLikeArchive(open: () => Readable): Promise<boolean> {
  const stream = open();
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of stream) {
      const buf = asBuffer(chunk);
      chunks.push(buf);
      n += buf.length;
      if (n >= SNIFF_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  return n > 0 && isArchive(Buffer.concat(chunks).subarray(0, SNIFF_BYTES));
}

/**
 * Extracts an ADD archive into a fresh directory under `tmpDir` with the unpacker's safe
 * `applyArchive` (nothing can land outside it; `.wh.` names are refused, since in the layer they
 * would read as whiteouts; devices are skipped; xattrs are restored best effort, overlayfs' own
 * never, as BuildKit's ADD keeps them) and returns a group of its contents, laid out under the
 * destination directory. The extracted files are read when the layer is written, so `tmpDir`
 * must outlive that.
 */
export async function archiveGroup(
  open: () => Readable,
  tmpDir: string,
  maxSize: number = DEFAULT_NETWORK_LIMITS.maxLayerSize,
): Promise<CopyGroup> {
  const dir = path.join(tmpDir, `add-${randomBytes(6).toString("hex")}`);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await applyArchive(open(), dir, { whiteoutMode: "refuse", devices: "skip", maxSize });
  const view = new LayerView([dir]);
  return { kind: "directory", keepOwner: true, chmod: false, items: archiveItems(view) };
}

function* archiveItems(view: LayerView): Generator<CopyItem> {
  for (const entry of view.walk("")) {
    // The extraction root is the destination directory itself, not an entry of the archive.
    if (entry.path === "." || entry.stat.type === "socket") continue;
    const st = entry.stat;
    const item: CopyItem = {
      path: entry.path,
      type: st.type === "socket" ? "file" : st.type,
      mode: st.mode,
      uid: st.uid,
      gid: st.gid,
      mtimeMs: st.mtimeMs,
      size: st.size,
      open: () => view.openHost(st.hostPath),
      // The archive's xattrs, restored by the extraction (BuildKit's ADD keeps them too).
      xattrs: () => contentXattrs(st.hostPath),
    };
    if (entry.linkTarget !== undefined) item.linkTarget = entry.linkTarget;
    if (st.devmajor !== undefined) item.devmajor = st.devmajor;
    if (st.devminor !== undefined) item.devminor = st.devminor;
    yield item;
  }
}
