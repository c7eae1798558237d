import * as path from "node:path/posix";
import type { ContextFile, ContextSource } from "../context";
import type { LayerEntry, LayerEntryBase } from "../image/layer-entry";
import { applyChmod } from "./chmod";

/** Who owns what COPY writes: `--chown` resolved to numbers, or root. */
export interface Ownership {
  uid: number;
  gid: number;
}

export interface CopyLayout {
  /** Absolute destination; a trailing "/" means "into this directory". */
  dest: string;
  owner: Ownership;
  /** `--chmod` value (octal or symbolic), applied to every copied entry. */
  chmod?: string;
  /** The number of sources (after wildcard expansion); several sources copy into `dest/`. */
  sourceCount: number;
  /** mtime for directories COPY creates as parents of the destination. */
  parentMtimeMs: number;
}

/**
 * Lays context files out under a COPY destination as layer entries, like BuildKit's copy:
 * a directory source copies its contents into `dest`; a single entry goes to `dest/<name>` when
 * `dest` ends in "/" (or there are several sources), else to `dest` itself. Missing parent
 * directories are created (0755, owned by root like BuildKit's mkdir -p); copied entries keep
 * their mode and mtime and take the `--chown` owner (root by default, never the host's ids).
 */
export function* copyEntries(
  files: Iterable<ContextFile>,
  sources: readonly ContextSource[],
  layout: CopyLayout,
): Generator<LayerEntry> {
  const destDir = layout.dest.endsWith("/") || layout.sourceCount > 1;
  const destPath = trimRoot(layout.dest);
  const emitted = new Set<string>();
  function* parents(p: string): Generator<LayerEntry> {
    const parts = p.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (dir === "" || emitted.has(dir)) continue;
      emitted.add(dir);
      yield { type: "directory", path: dir, mode: 0o755, uid: 0, gid: 0, mtimeMs: layout.parentMtimeMs };
    }
  }
  for (const file of files) {
    const fromDirectory = sources[file.source]?.kind === "directory";
    let target: string;
    if (fromDirectory) target = file.path === "." ? destPath : join(destPath, file.path);
    else target = destDir ? join(destPath, file.path) : destPath;
    // The image root itself is never replaced (BuildKit leaves "/" alone).
    if (target === "") continue;
    yield* parents(target);
    if (emitted.has(target)) continue;
    emitted.add(target);
    const entry = toEntry(file, target, layout);
    if (entry) yield entry;
  }
}

function trimRoot(p: string): string {
  return path.normalize(p).replace(/^\/+/, "").replace(/\/+$/, "").replace(/^\.$/, "");
}

function join(a: string, b: string): string {
  return a === "" ? b : `${a}/${b}`;
}

function toEntry(file: ContextFile, target: string, layout: CopyLayout): LayerEntry | undefined {
  const isDir = file.type === "directory";
  const base: LayerEntryBase = {
    path: target,
    mode: layout.chmod !== undefined ? applyChmod(file.mode, layout.chmod, isDir) : file.mode,
    uid: layout.owner.uid,
    gid: layout.owner.gid,
    mtimeMs: file.mtimeMs,
  };
  switch (file.type) {
    case "file":
      return { ...base, type: "file", size: file.size, open: () => file.open() };
    case "directory":
      return { ...base, type: "directory" };
    case "symlink":
      return { ...base, type: "symlink", target: file.linkTarget ?? "" };
    case "fifo":
    case "char-device":
    case "block-device":
      return { ...base, type: file.type, devmajor: file.devmajor ?? 0, devminor: file.devminor ?? 0 };
  }
}
