import * as fs from "node:fs";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buildLayer } from "../../src/image/build-layer";
import { appendLayers, emptyImage, withConfig, type Image } from "../../src/image/image";
import type { Layer } from "../../src/image/layer";
import type { LayerEntry } from "../../src/image/layer-entry";

const T = Date.UTC(2024, 0, 2, 3, 4, 5);
const CREATED = "2024-01-02T03:04:05Z";

function dir(p: string): LayerEntry {
  return { type: "directory", path: p, mode: 0o755, uid: 0, gid: 0, mtimeMs: T };
}

/** One layer with the host's static busybox and /bin/sh → busybox. */
export async function busyboxImage(blobDir: string, extra?: string): Promise<Image> {
  const st = fs.statSync("/bin/busybox");
  const entries: LayerEntry[] = [
    dir("bin"),
    {
      type: "file",
      path: "bin/busybox",
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtimeMs: T,
      size: st.size,
      open: () => fs.createReadStream("/bin/busybox"),
    },
    { type: "symlink", path: "bin/sh", target: "busybox", mode: 0o777, uid: 0, gid: 0, mtimeMs: T },
  ];
  const layers: Layer[] = [await buildLayer(entries, { dir: blobDir, clampMtime: T / 1000 })];
  if (extra !== undefined) {
    const buf = Buffer.from(extra);
    layers.push(
      await buildLayer(
        [
          dir("etc"),
          {
            type: "file",
            path: "etc/extra",
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtimeMs: T,
            size: buf.length,
            open: () => Readable.from([buf]),
          },
        ],
        { dir: blobDir, clampMtime: T / 1000 },
      ),
    );
  }
  const base = withConfig(emptyImage({ architecture: "amd64", os: "linux" }), (c) => {
    c.created = CREATED;
    c.config.Cmd = ["/bin/sh", "-c", "echo hello"];
  });
  return appendLayers(base, layers);
}

/** `count` layers of incompressible random bytes, `bytesEach` each (uncompressed, so sizes are exact). */
export async function randomImage(blobDir: string, count: number, bytesEach: number): Promise<Image> {
  const layers: Layer[] = [];
  for (let i = 0; i < count; i++) {
    const chunk = 1024 * 1024;
    let left = bytesEach;
    const data = Readable.from(
      (function* () {
        while (left > 0) {
          const n = Math.min(chunk, left);
          left -= n;
          yield randomBytes(n);
        }
      })(),
    );
    layers.push(
      await buildLayer(
        [
          {
            type: "file",
            path: `data${i}.bin`,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtimeMs: T,
            size: bytesEach,
            open: () => data,
          },
        ],
        { dir: blobDir, clampMtime: T / 1000, compression: "gzip", level: 1 },
      ),
    );
  }
  const base = withConfig(emptyImage({ architecture: "amd64", os: "linux" }), (c) => {
    c.created = CREATED;
  });
  return appendLayers(base, layers);
}
