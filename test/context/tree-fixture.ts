import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A file's content, `{ link }` for a symlink, `{ dir: true }` for an empty directory, optional mode. */
export type TreeSpec = Record<
  string,
  string | { link: string } | { dir: true } | { content: string; mode: number }
>;

/** Creates a fresh temporary directory under os.tmpdir(); remove it with removeTemp(). */
export function makeTemp(prefix = "tsbuild-context-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `spec` below `root` (parents created as needed). */
export function writeTree(root: string, spec: TreeSpec): void {
  for (const [rel, value] of Object.entries(spec)) {
    const abs = path.join(root, rel);
    if (typeof value === "object" && "dir" in value) {
      fs.mkdirSync(abs, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof value === "string") fs.writeFileSync(abs, value);
    else if ("link" in value) fs.symlinkSync(value.link, abs);
    else {
      fs.writeFileSync(abs, value.content);
      fs.chmodSync(abs, value.mode);
    }
  }
}

/** Sleeps long enough that files written before are no longer "racy" for the stat cache. */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
