import { CopyError } from "./errors";
import type { RootfsView } from "./rootfs-view";
import { UserDb, parseId } from "./user-db";

/** Who owns what COPY writes: `--chown` resolved to numbers, or root. */
export interface Ownership {
  uid: number;
  gid: number;
}

export const ROOT_OWNER: Ownership = { uid: 0, gid: 0 };

/**
 * Resolves a `--chown` value (`user`, `user:group`, names or numeric ids) against the
 * destination stage's /etc/passwd and /etc/group, as BuildKit's file op does:
 * - a numeric user is used as is; alone it also stands for the group (`--chown=1000` → 1000:1000);
 * - a user name alone takes the user's primary group from /etc/passwd;
 * - a group (name or id) after ":" overrides it.
 * A name missing from the file is a COPY_UNKNOWN_USER / COPY_UNKNOWN_GROUP error naming both.
 */
export function resolveChown(spec: string, destView: RootfsView | UserDb): Ownership {
  const db = destView instanceof UserDb ? destView : new UserDb(destView);
  const colon = spec.indexOf(":");
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? undefined : spec.slice(colon + 1);
  if (userPart === "" || groupPart === "") {
    throw new CopyError("COPY_BAD_CHOWN", `resolve --chown=${spec}: user and group must not be empty`);
  }
  let uid: number;
  let gid: number;
  const numericUser = parseId(userPart);
  if (numericUser !== undefined) {
    uid = numericUser;
    gid = numericUser;
  } else {
    if (/^[0-9]+$/.test(userPart))
      throw new CopyError("COPY_BAD_CHOWN", `resolve --chown=${spec}: uid ${userPart} is out of range`);
    const user = db.users().find((u) => u.name === userPart);
    if (user === undefined) {
      throw new CopyError(
        "COPY_UNKNOWN_USER",
        `resolve --chown=${spec}: no user ${userPart} in /etc/passwd of the destination`,
      );
    }
    uid = user.uid;
    gid = user.gid;
  }
  if (groupPart !== undefined) gid = resolveGroup(groupPart, db, `--chown=${spec}`);
  return { uid, gid };
}

/** A group name or numeric gid → gid, names looked up in /etc/group. */
export function resolveGroup(group: string, db: UserDb, what: string): number {
  const numeric = parseId(group);
  if (numeric !== undefined) return numeric;
  if (/^[0-9]+$/.test(group))
    throw new CopyError("COPY_BAD_CHOWN", `resolve ${what}: gid ${group} is out of range`);
  const entry = db.groups().find((g) => g.name === group);
  if (entry === undefined) {
    throw new CopyError(
      "COPY_UNKNOWN_GROUP",
      `resolve ${what}: no group ${group} in /etc/group of the destination`,
    );
  }
  return entry.gid;
}

/** A process identity for RUN (`USER` of the stage). */
export interface ExecUser extends Ownership {
  /** Supplementary groups: every /etc/group entry listing the user by name. */
  additionalGids: number[];
  home: string;
}

/**
 * Resolves a `USER` value for running a command, as runc's user.GetExecUser does: a name must
 * exist in /etc/passwd; a numeric uid uses its passwd entry's group when there is one, else 0;
 * `:group` overrides the primary group. Unlike --chown, a numeric uid alone never implies gid=uid.
 */
export function resolveExecUser(spec: string, view: RootfsView | UserDb): ExecUser {
  const db = view instanceof UserDb ? view : new UserDb(view);
  const value = spec === "" ? "0" : spec;
  const colon = value.indexOf(":");
  const userPart = colon < 0 ? value : value.slice(0, colon);
  const groupPart = colon < 0 ? undefined : value.slice(colon + 1);
  const numeric = parseId(userPart);
  const entry =
    numeric === undefined
      ? db.users().find((u) => u.name === userPart)
      : db.users().find((u) => u.uid === numeric);
  if (entry === undefined && numeric === undefined) {
    throw new CopyError("COPY_UNKNOWN_USER", `resolve USER ${spec}: no user ${userPart} in /etc/passwd`);
  }
  const uid = numeric ?? (entry as { uid: number }).uid;
  const gid =
    groupPart !== undefined && groupPart !== ""
      ? resolveGroup(groupPart, db, `USER ${spec}`)
      : (entry?.gid ?? 0);
  const additionalGids =
    entry === undefined
      ? []
      : db
          .groups()
          .filter((g) => g.members.includes(entry.name) && g.gid !== gid)
          .map((g) => g.gid);
  return { uid, gid, additionalGids: [...new Set(additionalGids)], home: entry?.home || "/" };
}
