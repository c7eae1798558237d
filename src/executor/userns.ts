/**
 * Facts about the user namespace this process runs in (rootless builds run the whole engine in
 * one: see ../engine/isolation.ts).
 */
import * as fs from "node:fs";
import type { ProcessLimit } from "./run-spec";

/** Whether `id` is mapped in this process's user namespace ("uid" or "gid"). */
export function idMapped(kind: "uid" | "gid", id: number): boolean {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/self/${kind}_map`, "utf8");
  } catch {
    return id === 0;
  }
  for (const line of text.trim().split("\n")) {
    const [inside, , count] = line.trim().split(/\s+/).map(Number);
    if (inside !== undefined && count !== undefined && id >= inside && id < inside + count) return true;
  }
  return false;
}

/** The hard RLIMIT_NPROC of this process (Infinity when unlimited or unknown). */
function nprocHardLimit(): number {
  try {
    const line = fs
      .readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max processes"));
    const hard = line?.trim().split(/\s+/)[3];
    return hard === undefined || hard === "unlimited" ? Infinity : Number(hard);
  } catch {
    return Infinity;
  }
}

/** RLIMIT_NPROC standing in for the pids cgroup, never above what this process may grant. */
export function userNamespaceLimits(pidsLimit: number): ProcessLimit | undefined {
  if (pidsLimit <= 0) return undefined;
  const limit = Math.min(pidsLimit, nprocHardLimit());
  return { type: "RLIMIT_NPROC", soft: limit, hard: limit };
}
