import * as fd from "node:fs";
import type { RootfsView } from "./rootfs-view";

/** One line of /etc/passwd. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** One line of /etc/group. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Bytes of /etc/passwd or /etc/group read at most (real ones are a few kB). */
const MAX_DB_BYTES = 16 * 1024 * 1024;

/**
 * Parses /etc/passwd like runc's libcontainer/user: colon-separated, blank lines and lines
 * starting with "#" skipped, lines with a non-numeric id ignored (they cannot match).
 */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(":");
    if (f[0] === "" || f[0].startsWith("#") || f.length < 4) continue;
    const uid = parseId(f[2]);
    const gid = parseId(f[3]);
    if (uid === undefined || gid === undefined) continue;
    out.push({ name: f[0], uid, gid, home: f[5] ?? "", shell: f[6] ?? "" });
  }
  return out;
}

/** Parses /etc/group (same rules as parsePasswd). */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(":");
    if (f[0] === "" || f[0].startsWith("#") || f.length < 3) continue;
    const gid = parseId(f[2]);
    if (gid === undefined) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? "").split(",").filter((m) => m !== "") });
  }
  return out;
}

/** A decimal id in uint32 range, or undefined. */
export function parseId(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 0xffffffff ? n : undefined;
}

/** Reads /etc/passwd and /etc/group of a rootfs view on demand (each at most once). */
export class UserDb {
  private passwd: PasswdEntry[] | undefined;
  private group: GroupEntry[] | undefined;

  constructor(private readonly view: RootfsView) {}

  users(): PasswdEntry[] {
    this.passwd ??= parsePasswd(this.read("/etc/passwd"));
    return this.passwd;
  }

  groups(): GroupEntry[] {
    this.group ??= parseGroup(this.read("/etc/group"));
    return this.group;
  }

  /** The file's text, "" when it is missing (a scratch or distroless stage). */
  private read(file: string): string {
    const st = this.view.stat(file);
    if (st?.type !== "file") return "";
    const buf = Buffer.alloc(Math.min(st.size, MAX_DB_BYTES));
    const handle = fd.openSync(st.hostPath, "r");
    try {
      const n = fd.readSync(handle, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString("utf8");
    } finally {
      fd.closeSync(handle);
    }
  }
}
