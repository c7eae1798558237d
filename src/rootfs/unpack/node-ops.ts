/**
 * Filesystem operations Node has no API for or that several entry handlers share: removing
 * whatever sits at a path, mknod (fifos, devices, overlay whiteouts) and extended attributes.
 * Every path given here must come from RootResolver: its directories are real, in-root directories,
 * and the operations below never follow a final symlink.
 */
import { promises as fsp } from "node:fs";
import { isErrno } from "../errors";
import { isRecord } from "../../guards";
import { execFileAsync } from "../../lazy-builtins";

/** What `removeNode` found and removed. */
export type RemovedKind = "directory" | "symlink" | "other" | "none";

/**
 * Removes what is at `host` without following it: a directory recursively (Node's rm unlinks
 * symlinks inside rather than entering them), anything else with unlink.
 */
export async function removeNode(host: string): Promise<RemovedKind> {
  let kind: RemovedKind;
  try {
    const st = await fsp.lstat(host);
    kind = st.isDirectory() ? "directory" : st.isSymbolicLink() ? "symlink" : "other";
  } catch (err) {
    if (isErrno(err, "ENOENT")) return "none";
    throw err;
  }
  if (kind === "directory") await fsp.rm(host, { recursive: true, force: true });
  else await fsp.unlink(host);
  return kind;
}

/** The inode kinds mknod can make. */
export type SpecialKind = "fifo" | "character-device" | "block-device";

/**
 * Creates a fifo or device node with exactly `mode` (mknod -m is not subject to the umask). Node
 * has no mknod(2); coreutils' mknod is on every Linux this runs on, and these entries are rare.
 */
export async function makeNode(
  host: string,
  kind: SpecialKind,
  mode: number,
  major: number,
  minor: number,
): Promise<void> {
  const modeArg = (mode & 0o7777).toString(8);
  const args =
    kind === "fifo"
      ? ["-m", modeArg, "--", host, "p"]
      : ["-m", modeArg, "--", host, kind === "character-device" ? "c" : "b", String(major), String(minor)];
  try {
    await execFileAsync("mknod", args);
  } catch (err) {
    const stderr = isRecord(err) && typeof err.stderr === "string" ? err.stderr : undefined;
    throw new Error(stderr ? stderr.trim() : String(err), { cause: err });
  }
}
