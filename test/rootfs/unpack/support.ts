import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import * as tarStream from "tar-stream";

/** One hand-made tar entry; `body` only for files. */
export interface FakeEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "fifo" | "character-device" | "block-device";
  body?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

/** Builds an uncompressed tar in memory from hand-made entries (tests only: tiny tars). */
export async function makeTar(entries: FakeEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? "file";
    const body = type === "file" ? Buffer.from(e.body ?? "") : undefined;
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: e.name,
        type,
        mode: e.mode ?? (type === "directory" ? 0o755 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        mtime: e.mtime ?? new Date(1_600_000_000_000),
        ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
        ...(e.devmajor !== undefined ? { devmajor: e.devmajor } : {}),
        ...(e.devminor !== undefined ? { devminor: e.devminor } : {}),
        ...(e.pax !== undefined ? { pax: e.pax } : {}),
      };
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body) pack.entry(header, body, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function tarStreamOf(entries: FakeEntry[]): Promise<Readable> {
  return Readable.from([await makeTar(entries)]);
}

/** A temp dir holding `target/` (where layers go) and `canary/` (must never change). */
export interface Sandbox {
  dir: string;
  target: string;
  canary: string;
  /** Everything outside `target/`, as a comparable listing (paths, types, modes, content hashes). */
  outside(): Promise<string[]>;
  remove(): Promise<void>;
}

export async function makeSandbox(): Promise<Sandbox> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "tsbuild-unpack-"));
  const target = path.join(dir, "target");
  const canary = path.join(dir, "canary");
  await fsp.mkdir(target);
  await fsp.mkdir(path.join(canary, "sub"), { recursive: true });
  await fsp.writeFile(path.join(canary, "passwd"), "root:x:0:0\n");
  await fsp.writeFile(path.join(canary, "sub", "keep"), "keep");
  await fsp.writeFile(path.join(dir, "sibling"), "sibling");
  return {
    dir,
    target,
    canary,
    outside: () => listTree(dir, new Set([target])),
    remove: () => fsp.rm(dir, { recursive: true, force: true }),
  };
}

/** Recursive listing of `root` (not following symlinks), skipping `exclude`d paths. */
export async function listTree(root: string, exclude: Set<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const names = (await fsp.readdir(dir)).sort();
    for (const name of names) {
      const p = path.join(dir, name);
      if (exclude.has(p)) continue;
      const st = await fsp.lstat(p);
      const rel = path.relative(root, p);
      if (st.isDirectory()) {
        out.push(`${rel}/ ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`);
        await walk(p);
      } else if (st.isSymbolicLink()) {
        out.push(`${rel} -> ${await fsp.readlink(p)}`);
      } else if (st.isFile()) {
        const hash = createHash("sha256")
          .update(await fsp.readFile(p))
          .digest("hex")
          .slice(0, 12);
        out.push(`${rel} ${(st.mode & 0o7777).toString(8)} ${st.nlink} ${hash} ${st.mtimeMs}`);
      } else {
        out.push(`${rel} special ${st.mode.toString(8)} ${st.rdev}`);
      }
    }
  };
  await walk(root);
  return out;
}

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
