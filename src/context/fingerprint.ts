import { createHash } from "node:crypto";
import type { ContextFile } from "./context-file";

/**
 * The cache-key fingerprint of a selection of context files: sha256 over one record per file of
 * [source index, type, destination-relative path, mode, content hash | link target | device
 * numbers], in walk order, and the file's xattrs when it has any (COPY carries them into the
 * layer). Deliberately absent: mtimes, owners (COPY sets them) and absolute host paths, so
 * touching files or moving the context directory keeps the key.
 */
export async function fingerprintFiles(files: readonly ContextFile[]): Promise<string> {
  const hashes: (string | undefined)[] = new Array<string | undefined>(files.length);
  const pending: Promise<void>[] = [];
  files.forEach((f, i) => {
    if (f.type !== "file") return;
    const known = f.knownContentHash?.();
    if (known !== undefined) hashes[i] = known;
    else pending.push(f.contentHash().then((h) => void (hashes[i] = h)));
  });
  await Promise.all(pending);
  const records: string[] = ["tsbuild-context-fingerprint-v1"];
  files.forEach((f, i) => {
    let detail: string | number[] = "";
    // contentHash() is a string for every regular file.
    if (f.type === "file") detail = hashes[i] as string;
    else if (f.type === "symlink") detail = f.linkTarget ?? "";
    else if (f.devmajor !== undefined) detail = [f.devmajor, f.devminor ?? 0];
    const record = JSON.stringify([f.source, f.type, f.path, f.mode, detail]);
    const xattrs = f.xattrSummary !== undefined ? f.xattrSummary() : xattrSummary(f.xattrs?.());
    // The summary as a sixth element: the same text as JSON.stringify of the record with it.
    records.push(xattrs === "" ? record : `${record.slice(0, -1)},${xattrs}]`);
  });
  records.push("");
  return "sha256:" + createHash("sha256").update(records.join("\n")).digest("hex");
}

/**
 * What a fingerprint records of a file's xattrs: JSON of [name, sha256 hex of the value] pairs
 * sorted by name; "" when it has none. The stat cache keeps it, so unchanged files are not listed.
 */
export function xattrSummary(xattrs: Record<string, Buffer> | undefined): string {
  if (xattrs === undefined) return "";
  return JSON.stringify(
    Object.keys(xattrs)
      .sort()
      .map((k) => [k, createHash("sha256").update(xattrs[k]).digest("hex")]),
  );
}
