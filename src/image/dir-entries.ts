import * as fs from "node:fs";
import * as path from "node:path";
import {
  deviceEntry,
  directoryEntry,
  fileEntry,
  hardlinkEntry,
  symlinkEntry,
  type LayerEntry,
} from "./layer-entry";

function typeOf(
  st: fs.Stats,
): "file" | "directory" | "symlink" | "char-device" | "block-device" | "fifo" | undefined {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isCharacterDevice()) return "char-device";
  if (st.isBlockDevice()) return "block-device";
  if (st.isFIFO()) return "fifo";
  return undefined; // sockets have no tar form
}

/**
 * Walks a directory tree and yields one LayerEntry per node below `root` (not `root` itself), in
 * the order layerTar expects: depth-first, names in byte order, parents before children, so it
 * streams without sorting. Files seen again through another hard link become hardlink entries.
 * A minimal producer (benchmarks, tests); COPY and the RUN diff have their own.
 */
export async function* dirEntries(root: string, prefix = ""): AsyncGenerator<LayerEntry> {
  const links = new Map<string, string>();
  async function* walk(dir: string, rel: string): AsyncGenerator<LayerEntry> {
    const names = (await fs.promises.readdir(dir)).sort((a, b) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    );
    const stats = await Promise.all(names.map((n) => fs.promises.lstat(path.join(dir, n))));
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const st = stats[i];
      const full = path.join(dir, name);
      const p = rel ? `${rel}/${name}` : name;
      const type = typeOf(st);
      if (!type) continue;
      const base = { path: p, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs };
      if (type !== "directory" && st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        const first = links.get(key);
        if (first !== undefined) {
          yield hardlinkEntry(base, first);
          continue;
        }
        links.set(key, p);
      }
      switch (type) {
        case "file":
          yield fileEntry(base, st.size, () => fs.createReadStream(full, { highWaterMark: 256 * 1024 }));
          break;
        case "directory":
          yield directoryEntry(base);
          yield* walk(full, p);
          break;
        case "symlink":
          yield symlinkEntry(base, await fs.promises.readlink(full));
          break;
        default:
          // Linux dev_t: major in bits 8-19 (+ high bits), minor in bits 0-7 and 20-31.
          yield deviceEntry(
            base,
            type,
            (st.rdev >>> 8) & 0xfff,
            (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00),
          );
      }
    }
  }
  yield* walk(root, prefix);
}
