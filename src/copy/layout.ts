import type { DirectoryEntry, LayerEntry } from "../image/layer-entry";
import { sortEntries } from "../image/sort-entries";
import { CopyError } from "./errors";
import type { Ownership } from "../rootfs/users";
import { RootfsError } from "../rootfs/errors";
import type { LayerView } from "../rootfs/layer-view";

export interface LayoutOptions {
  /** The stage the layer goes on: where the destination is resolved and parents are looked up. */
  destView: LayerView;
  /** Owner of directories COPY creates (BuildKit chowns created parents to the --chown user). */
  owner: Ownership;
  /** mtime of directories COPY creates. */
  createdMtimeMs: number;
  /** Mode of parent directories COPY creates (default 0755; upstream BuildKit gives them --chmod's). */
  createdMode?: number;
}

/** The destination once resolved in the destination stage. */
export interface ResolvedDest {
  /** Root-relative, symlinks followed inside the root ("" is the root). */
  path: string;
  /** It exists (after following symlinks) and is a directory. */
  isDirectory: boolean;
}

/**
 * The change set of one COPY/ADD layer, keyed by path. Later sources win over earlier ones (as
 * BuildKit silently overwrites); a non-directory replacing a directory drops what was below it.
 * Every entry's parent directories are present: those the destination stage already has keep
 * their metadata, missing ones are created 0755 with the layout's owner, like `mkdir -p`.
 */
export class LayerLayout {
  private readonly entries = new Map<string, LayerEntry>();

  constructor(private readonly options: LayoutOptions) {}

  /**
   * Resolves an absolute destination in the destination stage, following its symlinks inside
   * the root (so `COPY x /bin/` on a merged-/usr image writes to usr/bin). Throws
   * COPY_NOT_A_DIRECTORY when a parent component is a file.
   */
  resolveDest(dest: string): ResolvedDest {
    try {
      const { path, stat } = this.options.destView.resolve(dest);
      return { path, isDirectory: stat?.type === "directory" };
    } catch (err) {
      if (err instanceof RootfsError && err.code === "ROOTFS_NOT_A_DIRECTORY") {
        throw new CopyError(
          "COPY_NOT_A_DIRECTORY",
          `resolve destination ${dest}: ${err.message.replace(/^resolve [^:]*: /, "")}`,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
  }

  /** Adds (or replaces) `entry`, creating its parents. The root itself is never an entry. */
  put(entry: LayerEntry): void {
    if (entry.path === "") return;
    this.ensureParents(entry.path);
    const existing = this.entries.get(entry.path);
    if (existing?.type === "directory" && entry.type !== "directory") {
      const prefix = `${entry.path}/`;
      for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
    }
    this.entries.set(entry.path, entry);
  }

  /** Adds directory `entry` unless something is already at its path. */
  putIfAbsent(entry: DirectoryEntry): void {
    if (!this.entries.has(entry.path)) this.put(entry);
  }

  /**
   * Makes sure directory `p` is in the layer: an existing one keeps its metadata, a missing one is
   * created with the layout's owner and `mode` (default: the created-parents mode).
   */
  ensureDirectory(p: string, mode?: number): void {
    if (p === "") return;
    if (this.entries.get(p)?.type === "directory") return;
    this.put(this.directoryFor(p, mode));
  }

  has(p: string): boolean {
    return this.entries.has(p);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entries in layer tar order. */
  sorted(): Promise<LayerEntry[]> {
    return sortEntries(this.entries.values());
  }

  private ensureParents(p: string): void {
    for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1)) {
      const dir = p.slice(0, i);
      const existing = this.entries.get(dir);
      if (existing?.type === "directory") continue;
      this.entries.set(dir, this.directoryFor(dir));
    }
  }

  private directoryFor(dir: string, mode?: number): DirectoryEntry {
    const st = this.options.destView.lstat(dir);
    if (st?.type === "directory") {
      return { type: "directory", path: dir, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs };
    }
    const { owner, createdMtimeMs } = this.options;
    return {
      type: "directory",
      path: dir,
      mode: mode ?? this.options.createdMode ?? 0o755,
      uid: owner.uid,
      gid: owner.gid,
      mtimeMs: createdMtimeMs,
    };
  }
}
