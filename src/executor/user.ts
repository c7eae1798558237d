import { ExecutorError } from "./errors";
import type { LayeredRootfs } from "./layered-rootfs";

/** Who the RUN process runs as. `groups` are the supplementary groups (setgroups). */
export interface ResolvedUser {
  uid: number;
  gid: number;
  groups: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 0xfffffffe;

/**
 * Resolves a Dockerfile USER value against the rootfs's /etc/passwd and /etc/group, with runc's
 * rules (which BuildKit uses): a name must exist in passwd; a numeric uid need not (gid 0 then);
 * an explicit group (name or gid) replaces the primary group and the supplementary groups;
 * otherwise the supplementary groups are the primary group plus every group listing the user.
 */
export function resolveUser(rootfs: LayeredRootfs, spec: string | undefined): ResolvedUser {
  const value = spec === undefined || spec === "" ? "0" : spec;
  const colon = value.indexOf(":");
  const userPart = colon < 0 ? value : value.slice(0, colon);
  const groupPart = colon < 0 ? undefined : value.slice(colon + 1);
  if (userPart === "") throw userError(value, "the user part is empty");

  const passwd = parsePasswd(rootfs.readFile("/etc/passwd"));
  const groups = parseGroup(rootfs.readFile("/etc/group"));

  const numericUid = parseId(userPart);
  const entry =
    numericUid === undefined
      ? passwd.find((p) => p.name === userPart)
      : passwd.find((p) => p.uid === numericUid);
  if (entry === undefined && numericUid === undefined) {
    throw userError(value, `no user "${userPart}" in /etc/passwd`);
  }
  const uid = entry?.uid ?? (numericUid as number);

  if (groupPart !== undefined && groupPart !== "") {
    const numericGid = parseId(groupPart);
    const group = numericGid === undefined ? groups.find((g) => g.name === groupPart) : undefined;
    if (numericGid === undefined && group === undefined) {
      throw userError(value, `no group "${groupPart}" in /etc/group`);
    }
    const gid = numericGid ?? (group as GroupEntry).gid;
    return { uid, gid, groups: [gid] };
  }

  const gid = entry?.gid ?? 0;
  const supplementary = new Set<number>([gid]);
  if (entry !== undefined) {
    for (const g of groups) if (g.members.includes(entry.name)) supplementary.add(g.gid);
  }
  return { uid, gid, groups: [...supplementary] };
}

function userError(spec: string, reason: string): ExecutorError {
  return new ExecutorError("EXECUTOR_USER_NOT_FOUND", `resolve USER ${spec}: ${reason}`);
}

function parseId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_ID ? n : undefined;
}

function lines(file: Buffer | undefined): string[][] {
  if (file === undefined) return [];
  return file
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split(":"));
}

function parsePasswd(file: Buffer | undefined): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const f of lines(file)) {
    const uid = parseId(f[2] ?? "");
    const gid = parseId(f[3] ?? "");
    if (f.length >= 4 && uid !== undefined && gid !== undefined) out.push({ name: f[0], uid, gid });
  }
  return out;
}

function parseGroup(file: Buffer | undefined): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const f of lines(file)) {
    const gid = parseId(f[2] ?? "");
    if (f.length < 3 || gid === undefined) continue;
    const members = (f[3] ?? "")
      .split(",")
      .map((m) => m.trim())
      .filter((m) => m !== "");
    out.push({ name: f[0], gid, members });
  }
  return out;
}
