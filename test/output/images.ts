import * as fs from "node:fs";
import { Readable } from "node:stream";
import { buildLayer } from "../../src/image/build-layer";
import { appendLayers, emptyImage, withConfig, type Image } from "../../src/image/image";
import type { LayerEntry } from "../../src/image/layer-entry";

export const CREATED = "2024-01-02T03:04:05Z";
const T = Date.UTC(2024, 0, 2, 3, 4, 5);

function file(path: string, content: string, mode = 0o644): LayerEntry {
  const buf = Buffer.from(content);
  return {
    type: "file",
    path,
    mode,
    uid: 0,
    gid: 0,
    mtimeMs: T,
    size: buf.length,
    open: () => Readable.from([buf]),
  };
}
function dir(path: string): LayerEntry {
  return { type: "directory", path, mode: 0o755, uid: 0, gid: 0, mtimeMs: T };
}

/**
 * Two layers: the first adds etc/{keep,gone} and data/{old1,old2}; the second deletes etc/gone
 * (whiteout), makes data/ opaque with a new file, and adds etc/new.
 */
export async function twoLayerImage(blobDir: string): Promise<Image> {
  const l1 = await buildLayer(
    [
      dir("data"),
      file("data/old1", "o1"),
      file("data/old2", "o2"),
      dir("etc"),
      file("etc/gone", "bye"),
      file("etc/keep", "kept\n"),
    ],
    {
      dir: blobDir,
      clampMtime: T / 1000,
    },
  );
  const l2 = await buildLayer(
    [
      dir("data"),
      { type: "opaque", path: "data" },
      file("data/fresh", "new"),
      dir("etc"),
      { type: "whiteout", path: "etc/gone" },
      file("etc/new", "hello\n"),
    ],
    {
      dir: blobDir,
      clampMtime: T / 1000,
    },
  );
  const base = withConfig(emptyImage({ architecture: "amd64", os: "linux" }), (c) => {
    c.created = CREATED;
    c.config.Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
  });
  return appendLayers(
    base,
    [l1, l2],
    [
      { created: CREATED, created_by: "COPY a /", comment: "buildkit.dockerfile.v0" },
      { created: CREATED, created_by: "RUN rm /etc/gone", comment: "buildkit.dockerfile.v0" },
    ],
  );
}

/** One layer with the host's static busybox as /bin/busybox and /bin/sh → busybox; Cmd echoes hello. */
export async function busyboxImage(blobDir: string): Promise<Image> {
  const bb = "/bin/busybox";
  const st = fs.statSync(bb);
  const layer = await buildLayer(
    [
      dir("bin"),
      {
        type: "file",
        path: "bin/busybox",
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtimeMs: T,
        size: st.size,
        open: () => fs.createReadStream(bb),
      },
      { type: "symlink", path: "bin/sh", target: "busybox", mode: 0o777, uid: 0, gid: 0, mtimeMs: T },
    ],
    { dir: blobDir, clampMtime: T / 1000 },
  );
  const base = withConfig(emptyImage({ architecture: "amd64", os: "linux" }), (c) => {
    c.created = CREATED;
    c.config.Cmd = ["/bin/sh", "-c", "echo hello"];
  });
  return appendLayers(base, [layer], [{ created: CREATED, created_by: "COPY busybox /bin/busybox" }]);
}
