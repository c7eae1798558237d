/**
 * Rootless builds: as a non-root user, the engine itself runs inside a user namespace (as
 * Buildah re-execs itself, and rootlesskit runs buildkitd), where it is root over a range of
 * ids: the user's /etc/subuid and /etc/subgid ranges through util-linux `unshare --map-auto`
 * (which runs uidmap's setuid newuidmap/newgidmap), else a single-ID mapping of the user to 0.
 * Inside, unpacking can chown, overlayfs mounts with `userxattr` (Linux ≥ 5.11), runc runs with
 * its rootless cgroup manager, and layer tars carry the container's ids — so root and rootless
 * builds of one Dockerfile give the same digests.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { inUserNamespace } from "../rootfs/overlay";
import { ExecutorError } from "./errors";
import { findOnHostPath } from "./runtime";

export type Isolation = "auto" | "root" | "rootless";

/** Environment variable the re-executed engine finds its owner's host uid in. */
export const USERNS_OWNER_ENV = "TSBUILD_USERNS_OWNER";

export interface IdRange {
  start: number;
  count: number;
}

export interface UserNamespacePlan {
  /** The command prefix that runs a program inside the namespace. */
  prefix: string[];
  /** "subids": root plus the subordinate ranges; "single": only the user, as root. */
  mapping: "subids" | "single";
}

/**
 * The command prefix to re-run this program under, or null when the current process already
 * has what `isolation` asks for (real root for "root"/"auto" as root, or already inside a user
 * namespace). Throws ExecutorError EXECUTOR_ISOLATION saying what is missing.
 */
export function isolationPrefix(isolation: Isolation): UserNamespacePlan | null {
  if (inUserNamespace()) return null;
  const root = process.getuid?.() === 0;
  if (isolation === "root") {
    if (!root) {
      throw isolationError(
        `--isolation root needs root (this is uid ${process.getuid?.() ?? "?"}); use --isolation rootless or auto`,
      );
    }
    return null;
  }
  if (isolation === "auto" && root) return null;
  return userNamespacePlan(root);
}

function userNamespacePlan(root: boolean): UserNamespacePlan {
  checkUserNamespacesEnabled();
  const unshare = findOnHostPath("unshare");
  if (unshare === undefined) throw isolationError("unshare (util-linux) is missing");
  if (root) {
    // Root asking for rootless: ids 0-65535 map to themselves, but capabilities end at the
    // namespace (container root is not host root, even after an escape).
    return {
      prefix: [unshare, "--user", "--map-users=0,0,65536", "--map-groups=0,0,65536", "--"],
      mapping: "subids",
    };
  }
  const user = currentUserName();
  const uid = process.getuid?.() ?? -1;
  const uids = subordinateRange("/etc/subuid", user, uid);
  const gids = subordinateRange("/etc/subgid", user, uid);
  const helpers = findOnHostPath("newuidmap") !== undefined && findOnHostPath("newgidmap") !== undefined;
  if (uids !== undefined && gids !== undefined && helpers) {
    return { prefix: [unshare, "--user", "--map-root-user", "--map-auto", "--"], mapping: "subids" };
  }
  return { prefix: [unshare, "--user", "--map-root-user", "--"], mapping: "single" };
}

/** Why a single-ID mapping was chosen, for a warning ("only uid 0 exists inside"). */
export function singleMappingReason(): string {
  const user = currentUserName();
  const uid = process.getuid?.() ?? -1;
  if (findOnHostPath("newuidmap") === undefined)
    return "newuidmap/newgidmap are missing (apt-get install uidmap)";
  if (subordinateRange("/etc/subuid", user, uid) === undefined) {
    return `no range for ${user ?? uid} in /etc/subuid (usermod --add-subuids 100000-165535 ${user ?? uid})`;
  }
  return `no range for ${user ?? uid} in /etc/subgid (usermod --add-subgids 100000-165535 ${user ?? uid})`;
}

/** The first range of `user` (by name or uid) in an /etc/subuid-style file. */
export function subordinateRange(file: string, user: string | undefined, uid: number): IdRange | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const [who, start, count] = line.trim().split(":");
    if (who === undefined || start === undefined || count === undefined) continue;
    if (who !== user && who !== String(uid)) continue;
    if (!/^\d+$/.test(start) || !/^[1-9]\d*$/.test(count)) continue;
    return { start: Number(start), count: Number(count) };
  }
  return undefined;
}

function currentUserName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

function checkUserNamespacesEnabled(): void {
  const read = (file: string): string | undefined => {
    try {
      return fs.readFileSync(file, "utf8").trim();
    } catch {
      return undefined;
    }
  };
  if (read("/proc/sys/user/max_user_namespaces") === "0") {
    throw isolationError("user namespaces are disabled (sysctl user.max_user_namespaces=0)");
  }
  if (read("/proc/sys/kernel/unprivileged_userns_clone") === "0" && process.getuid?.() !== 0) {
    throw isolationError(
      "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=1)",
    );
  }
}

function isolationError(reason: string): ExecutorError {
  return new ExecutorError("EXECUTOR_ISOLATION", `rootless build: ${reason}`);
}
