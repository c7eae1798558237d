import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import * as tar from "tar-stream";

/**
 * An image read from an OCI archive (tsbuild) or a `docker save` archive (dockerd), with its
 * layers applied in memory: the final root filesystem as a path → entry map. Written apart from
 * tsbuild's own unpacking code so that the suite does not check tsbuild with tsbuild.
 */
export interface ReadImage {
  config: ImageConfigJson;
  /** Final root filesystem; keys are absolute paths ("/" itself excluded). */
  fs: Map<string, FsEntry>;
  layerCount: number;
}

export interface ImageConfigJson {
  config?: Record<string, unknown>;
  history?: { created_by?: string; empty_layer?: boolean; comment?: string }[];
  rootfs?: { diff_ids?: string[] };
  [key: string]: unknown;
}

export interface FsEntry {
  type: "file" | "dir" | "symlink" | "char" | "block" | "fifo";
  /** Permission, sticky, setuid and setgid bits. */
  mode: number;
  uid: number;
  gid: number;
  linkTarget?: string;
  /** sha256 of the content (files). */
  sha256?: string;
  size?: number;
  /** Content of small files, for assertions. */
  content?: Buffer;
  /** A parent directory no layer had an entry for. */
  implicit?: boolean;
}

interface RawEntry {
  name: string;
  data: Buffer;
  header: tar.Header;
}

function readTar(data: Buffer): Promise<RawEntry[]> {
  return new Promise((resolve, reject) => {
    const out: RawEntry[] = [];
    const ex = tar.extract();
    ex.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        out.push({ name: header.name, data: Buffer.concat(chunks), header });
        next();
      });
      stream.on("error", reject);
    });
    ex.on("finish", () => resolve(out));
    ex.on("error", reject);
    ex.end(data);
  });
}

function decompress(blob: Buffer): Buffer {
  if (blob.length >= 2 && blob[0] === 0x1f && blob[1] === 0x8b) return zlib.gunzipSync(blob);
  if (blob.length >= 4 && blob.readUInt32LE(0) === 0xfd2fb528) {
    throw new Error("zstd layers are not read by the suite's reader (build with gzip)");
  }
  return blob;
}

function normalize(name: string): string {
  let p = name.replace(/^\.?\/+/, "").replace(/\/+$/, "");
  p = p
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
  return "/" + p;
}

const parentOf = (p: string): string => p.slice(0, p.lastIndexOf("/")) || "/";

/** Applies one layer tar onto `tree`, with OCI whiteouts (`.wh.NAME`, `.wh..wh..opq`). */
async function applyLayer(tree: Map<string, FsEntry>, layer: Buffer): Promise<void> {
  const entries = await readTar(decompress(layer));
  const removeUnder = (dir: string, self: boolean) => {
    for (const key of [...tree.keys()]) {
      if ((self && key === dir) || key.startsWith(dir === "/" ? "/" : dir + "/")) tree.delete(key);
    }
  };
  // Opaque markers hide the lower layers' children first, whatever their order in the tar.
  for (const e of entries) {
    const p = normalize(e.name);
    const base = p.slice(p.lastIndexOf("/") + 1);
    if (base === ".wh..wh..opq") removeUnder(parentOf(p), false);
  }
  const hardlinks: [string, string, tar.Header][] = [];
  for (const e of entries) {
    const p = normalize(e.name);
    if (p === "/") continue;
    const base = p.slice(p.lastIndexOf("/") + 1);
    if (base === ".wh..wh..opq") continue;
    if (base.startsWith(".wh.")) {
      removeUnder(parentOf(p) === "/" ? "/" + base.slice(4) : parentOf(p) + "/" + base.slice(4), true);
      continue;
    }
    const h = e.header;
    const common = { mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 };
    const existing = tree.get(p);
    if (existing && !(existing.type === "dir" && h.type === "directory")) removeUnder(p, true);
    for (let d = parentOf(p); d !== "/" && !tree.has(d); d = parentOf(d)) {
      tree.set(d, { type: "dir", mode: 0o755, uid: 0, gid: 0, implicit: true });
    }
    switch (h.type) {
      case "directory":
        tree.set(p, { type: "dir", ...common });
        break;
      case "symlink":
        tree.set(p, { type: "symlink", ...common, linkTarget: h.linkname ?? "" });
        break;
      case "link":
        hardlinks.push([p, normalize(h.linkname ?? ""), h]);
        break;
      case "character-device":
      case "block-device":
      case "fifo":
        tree.set(p, {
          type: h.type === "fifo" ? "fifo" : h.type === "block-device" ? "block" : "char",
          ...common,
        });
        break;
      default:
        tree.set(p, {
          type: "file",
          ...common,
          size: e.data.length,
          sha256: crypto.createHash("sha256").update(e.data).digest("hex"),
          ...(e.data.length <= 1 << 20 ? { content: e.data } : {}),
        });
    }
  }
  // A hard link reads as a file with its target's content (tar writers pick the primary differently).
  for (const [p, target] of hardlinks) {
    const t = tree.get(target);
    if (t) tree.set(p, { ...t });
  }
}

/** Reads an OCI image archive (index.json → manifest) or a `docker save` archive (manifest.json). */
export async function readImageArchive(file: string): Promise<ReadImage> {
  const outer = await readTar(fs.readFileSync(file));
  const byName = new Map(outer.map((e) => [normalize(e.name), e.data]));
  const get = (p: string): Buffer => {
    const b = byName.get(normalize(p));
    if (!b) throw new Error(`${file}: no ${p} in the archive`);
    return b;
  };
  let configBlob: Buffer;
  let layers: Buffer[];
  if (byName.has("/index.json")) {
    const blob = (digest: string) => get(`blobs/${digest.replace(":", "/")}`);
    let desc = (
      JSON.parse(get("index.json").toString()) as { manifests: { digest: string; mediaType: string }[] }
    ).manifests[0];
    let manifest = JSON.parse(blob(desc.digest).toString()) as {
      manifests?: { digest: string; mediaType: string }[];
      config: { digest: string };
      layers: { digest: string }[];
    };
    while (manifest.manifests) {
      desc = manifest.manifests[0];
      manifest = JSON.parse(blob(desc.digest).toString());
    }
    configBlob = blob(manifest.config.digest);
    layers = manifest.layers.map((l) => blob(l.digest));
  } else {
    const m = JSON.parse(get("manifest.json").toString()) as { Config: string; Layers: string[] }[];
    configBlob = get(m[0].Config);
    layers = m[0].Layers.map((l) => get(l));
  }
  const tree = new Map<string, FsEntry>();
  for (const layer of layers) await applyLayer(tree, layer);
  return {
    config: JSON.parse(configBlob.toString()) as ImageConfigJson,
    fs: tree,
    layerCount: layers.length,
  };
}
