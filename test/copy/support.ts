import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setAttributeSync } from "@napi-rs/xattr";
import type { LayerEntry } from "../../src/image/layer-entry";
import type { CopySpec } from "../../src/copy/copy-spec";

/** A node of a test tree: file content, or a typed description. */
export type TreeNode =
  | string
  | { file: string; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { dir: true; mode?: number; uid?: number; gid?: number; opaque?: boolean }
  | { symlink: string }
  | { whiteout: true }
  | { fifo: true };

/** Writes `tree` (paths relative to `root`, parents first) onto disk. */
export function writeTree(root: string, tree: Record<string, TreeNode>): string {
  fs.mkdirSync(root, { recursive: true });
  for (const [rel, node] of Object.entries(tree)) {
    const host = path.join(root, rel);
    fs.mkdirSync(path.dirname(host), { recursive: true });
    if (typeof node === "string") {
      fs.writeFileSync(host, node);
      fs.chmodSync(host, 0o644);
    } else if ("file" in node) {
      fs.writeFileSync(host, node.file);
      fs.chmodSync(host, node.mode ?? 0o644);
      if (node.uid !== undefined) fs.chownSync(host, node.uid, node.gid ?? node.uid);
      if (node.mtime !== undefined) fs.utimesSync(host, node.mtime, node.mtime);
    } else if ("dir" in node) {
      fs.mkdirSync(host, { recursive: true });
      fs.chmodSync(host, node.mode ?? 0o755);
      if (node.uid !== undefined) fs.chownSync(host, node.uid, node.gid ?? node.uid);
      if (node.opaque) setAttributeSync(host, "trusted.overlay.opaque", "y");
    } else if ("symlink" in node) {
      fs.symlinkSync(node.symlink, host);
    } else if ("whiteout" in node) {
      execFileSync("mknod", [host, "c", "0", "0"]);
    } else {
      execFileSync("mkfifo", [host]);
    }
  }
  return root;
}

/** Temp dirs created by a test file, removed by `cleanup()`. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = "tsbuild-copy-"): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  cleanup(): void {
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** A COPY spec with defaults for everything not given. */
export function copyStep(partial: Partial<CopySpec> & Pick<CopySpec, "sources" | "dest">): CopySpec {
  return {
    instruction: "COPY",
    display: `COPY ${partial.sources.join(" ")} ${partial.dest}`,
    source: { kind: "context" },
    parents: false,
    exclude: [],
    ...partial,
  };
}

export interface Seen {
  path: string;
  type: string;
  mode?: number;
  uid?: number;
  gid?: number;
  target?: string;
  content?: string;
}

/** Entries as plain records, file contents read. */
export async function collect(entries: AsyncIterable<LayerEntry>): Promise<Seen[]> {
  const out: Seen[] = [];
  for await (const e of entries) {
    if (e.type === "whiteout" || e.type === "opaque") {
      out.push({ path: e.path, type: e.type });
      continue;
    }
    const seen: Seen = { path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid };
    if (e.type === "symlink" || e.type === "hardlink") seen.target = e.target;
    if (e.type === "file") {
      const chunks: Buffer[] = [];
      for await (const c of e.open()) chunks.push(c as Buffer);
      seen.content = Buffer.concat(chunks).toString();
    }
    out.push(seen);
  }
  return out;
}

/** path → type (and content for files), for compact layout assertions. */
export function shape(seen: Seen[]): Record<string, string> {
  return Object.fromEntries(
    seen.map((s) => [
      s.path,
      s.type === "file" ? `file:${s.content}` : s.type === "symlink" ? `->${s.target}` : s.type,
    ]),
  );
}
