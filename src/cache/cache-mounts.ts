import { createHash } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { removeDirAtomic } from "./atomic-file";
import { listDir } from "./errors";
import { treeBytes } from "./temp-files";

/**
 * `mounts/<hex>/`: the persistent directories of `RUN --mount=type=cache`, one per mount id
 * (hex = the first 32 hex characters of sha256(id), the id defaulting to the target). Their
 * content is whatever the build's commands left there; only `prune --all` frees them, as
 * `docker builder prune --all` frees BuildKit's cache mounts.
 */
export interface CacheMountEntry {
  dir: string;
  /** The directory's mtime (changes when entries are added or removed at its top). */
  mtimeMs: number;
}

export class CacheMounts {
  constructor(readonly dir: string) {}

  /** The directory of mount `id`. */
  path(id: string): string {
    return path.join(this.dir, createHash("sha256").update(id).digest("hex").slice(0, 32));
  }

  /**
   * The directory of mount `id`, created with `mode` and owned by uid:gid when new (an existing
   * one keeps what it has), its mtime set to now so prune sees it as just used.
   */
  async checkout(
    id: string,
    owner: { mode?: number | undefined; uid?: number | undefined; gid?: number | undefined } = {},
  ): Promise<string> {
    const dir = this.path(id);
    const created = await fsp.mkdir(dir, { recursive: true, mode: owner.mode ?? 0o755 });
    if (created !== undefined) {
      await fsp.chown(dir, owner.uid ?? 0, owner.gid ?? 0);
      await fsp.chmod(dir, owner.mode ?? 0o755); // mkdir's mode is masked by the umask
    }
    const now = new Date();
    await fsp.utimes(dir, now, now);
    return dir;
  }

  async list(): Promise<CacheMountEntry[]> {
    const names = await listDir(this.dir);
    const out: CacheMountEntry[] = [];
    for (const name of names) {
      if (!/^[a-f0-9]{32}$/.test(name)) continue;
      const dir = path.join(this.dir, name);
      const st = await fsp.lstat(dir).catch(() => undefined);
      if (st?.isDirectory() === true) out.push({ dir, mtimeMs: st.mtimeMs });
    }
    return out;
  }

  bytes(entry: CacheMountEntry): Promise<number> {
    return treeBytes(entry.dir);
  }

  /** Removes a mount's directory (renamed away first, so a lookup sees it whole or not at all). */
  async remove(entry: CacheMountEntry): Promise<number> {
    const bytes = await this.bytes(entry);
    await removeDirAtomic(this.dir, entry.dir);
    return bytes;
  }
}
