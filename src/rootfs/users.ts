/**
 * The passwd/group database of a root filesystem and the two lookups Dockerfiles make in it:
 * `USER` for running a command (runc's libcontainer/user.GetExecUser, which BuildKit uses) and
 * `--chown` for files (BuildKit's file op). One parser and one set of rules for RUN, COPY, ADD
 * and WORKDIR.
 */
import { RootfsError } from "./errors";
import type { LayerView } from "./layer-view";

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

/** Who owns a file. */
export interface Ownership {
  uid: number;
  gid: number;
}

export const ROOT_OWNER: Ownership = { uid: 0, gid: 0 };

/** A process identity for RUN. */
export interface ExecUser extends Ownership {
  /** Supplementary groups besides `gid` (setgroups). */
  additionalGids: number[];
  /** The passwd entry's home directory, "/" when there is none. */
  home: string;
}

/** Bytes of /etc/passwd or /etc/group read at most (real ones are a few kB). */
const MAX_DB_BYTES = 16 * 1024 * 1024;
/** Largest id runc accepts (uint32 minus the "no id" value). */
const MAX_ID = 0xfffffffe;

/**
 * Parses /etc/passwd like runc's libcontainer/user: colon-separated, blank lines and lines
 * starting with "#" skipped, lines with a non-numeric id ignored (they cannot match).
 */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const f of records(text)) {
    const uid = parseId(f[2] ?? "");
    const gid = parseId(f[3] ?? "");
    if (f.length < 4 || uid === undefined || gid === undefined) continue;
    out.push({ name: f[0] ?? "", uid, gid, home: f[5] ?? "", shell: f[6] ?? "" });
  }
  return out;
}

/** Parses /etc/group (same rules as parsePasswd). */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const f of records(text)) {
    const gid = parseId(f[2] ?? "");
    if (f.length < 3 || gid === undefined) continue;
    const members = (f[3] ?? "")
      .split(",")
      .map((m) => m.trim())
      .filter((m) => m !== "");
    out.push({ name: f[0] ?? "", gid, members });
  }
  return out;
}

function records(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    out.push(t.split(":"));
  }
  return out;
}

/** A decimal id in runc's range, or undefined. */
export function parseId(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_ID ? n : undefined;
}

/** /etc/passwd and /etc/group of a layer view, each read at most once, "" when missing. */
export class UserDb {
  private passwd: PasswdEntry[] | undefined;
  private group: GroupEntry[] | undefined;

  constructor(private readonly view: Pick<LayerView, "readFile">) {}

  users(): PasswdEntry[] {
    this.passwd ??= parsePasswd(this.read("/etc/passwd"));
    return this.passwd;
  }

  groups(): GroupEntry[] {
    this.group ??= parseGroup(this.read("/etc/group"));
    return this.group;
  }

  private read(file: string): string {
    return this.view.readFile(file, MAX_DB_BYTES)?.toString("utf8") ?? "";
  }
}

function dbOf(source: LayerView | UserDb): UserDb {
  return source instanceof UserDb ? source : new UserDb(source);
}

/**
 * Resolves a `USER` value for running a command, with runc's rules: a name must exist in
 * /etc/passwd; a numeric uid uses its passwd entry's group when there is one, else 0; an explicit
 * `:group` (name or gid) becomes the primary group and there are no supplementary groups;
 * otherwise the supplementary groups are the groups listing the user by name.
 */
export function resolveExecUser(spec: string | undefined, source: LayerView | UserDb): ExecUser {
  const db = dbOf(source);
  const value = spec === undefined || spec === "" ? "0" : spec;
  const colon = value.indexOf(":");
  const userPart = colon < 0 ? value : value.slice(0, colon);
  const groupPart = colon < 0 ? undefined : value.slice(colon + 1);
  if (userPart === "") throw badUser(`USER ${value}`, "the user part is empty");
  const numeric = parseId(userPart);
  if (numeric === undefined && /^[0-9]+$/.test(userPart)) {
    throw badUser(`USER ${value}`, `uid ${userPart} is out of range`);
  }
  const entry =
    numeric === undefined
      ? db.users().find((u) => u.name === userPart)
      : db.users().find((u) => u.uid === numeric);
  if (entry === undefined && numeric === undefined) {
    throw new RootfsError(
      "ROOTFS_UNKNOWN_USER",
      `resolve USER ${value}: no user ${userPart} in /etc/passwd`,
      "/etc/passwd",
    );
  }
  // Either numeric or entry is defined (the case with neither threw above).
  const uid = numeric ?? (entry as PasswdEntry).uid;
  const home = entry?.home || "/";
  if (groupPart !== undefined && groupPart !== "") {
    const gid = resolveGroup(groupPart, db, `USER ${value}`);
    return { uid, gid, additionalGids: [gid], home };
  }
  const gid = entry?.gid ?? 0;
  // The primary group is always a supplementary group too, as containerd sets it since its
  // CVE-2023-25173 fix and BuildKit's testUserAdditionalGids asserts (`groups=0(root),10(wheel)`).
  const additional = new Set<number>([gid]);
  if (entry !== undefined) {
    for (const g of db.groups()) if (g.gid !== gid && g.members.includes(entry.name)) additional.add(g.gid);
  }
  return { uid, gid, additionalGids: [...additional], home };
}

/**
 * Resolves a `--chown` value (`user`, `user:group`, names or numeric ids) as BuildKit's file op
 * does: a numeric user is used as is and alone also stands for the group (`--chown=1000` →
 * 1000:1000); a user name alone takes its primary group from /etc/passwd; a group after ":"
 * overrides it.
 */
export function resolveChown(spec: string, source: LayerView | UserDb): Ownership {
  const db = dbOf(source);
  const colon = spec.indexOf(":");
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? undefined : spec.slice(colon + 1);
  const what = `--chown=${spec}`;
  if (userPart === "" || groupPart === "") throw badUser(what, "user and group must not be empty");
  let uid: number;
  let gid: number;
  const numericUser = parseId(userPart);
  if (numericUser !== undefined) {
    uid = numericUser;
    gid = numericUser;
  } else {
    if (/^[0-9]+$/.test(userPart)) throw badUser(what, `uid ${userPart} is out of range`);
    const user = db.users().find((u) => u.name === userPart);
    if (user === undefined) {
      throw new RootfsError(
        "ROOTFS_UNKNOWN_USER",
        `resolve ${what}: no user ${userPart} in /etc/passwd of the destination`,
        "/etc/passwd",
      );
    }
    uid = user.uid;
    gid = user.gid;
  }
  if (groupPart !== undefined) gid = resolveGroup(groupPart, db, what);
  return { uid, gid };
}

/** A group name or numeric gid → gid, names looked up in /etc/group. */
export function resolveGroup(group: string, db: UserDb, what: string): number {
  const numeric = parseId(group);
  if (numeric !== undefined) return numeric;
  if (/^[0-9]+$/.test(group)) throw badUser(what, `gid ${group} is out of range`);
  const entry = db.groups().find((g) => g.name === group);
  if (entry === undefined) {
    throw new RootfsError(
      "ROOTFS_UNKNOWN_GROUP",
      `resolve ${what}: no group ${group} in /etc/group`,
      "/etc/group",
    );
  }
  return entry.gid;
}

function badUser(what: string, reason: string): RootfsError {
  return new RootfsError("ROOTFS_BAD_USER", `resolve ${what}: ${reason}`);
}
