import * as fs from "node:fs";
import { isErrno } from "./errors";

/**
 * Who holds a lock or runs a build is recorded as pid + /proc start time, so a dead holder is
 * detected even after its pid has been reused by an unrelated process.
 */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat, or null where /proc is unavailable. */
  start: string | null;
}

let self: ProcessIdentity | undefined;

/** This process (read once: every lock and session of a build asks, and it never changes). */
export function currentProcess(): ProcessIdentity {
  self ??= { pid: process.pid, start: processStartTime(process.pid) };
  return { ...self };
}

/** False when the pid no longer exists or now belongs to a process that started at another time. */
export function isProcessAlive(p: ProcessIdentity): boolean {
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user; that still counts as alive.
    if (isErrno(err, "ESRCH")) return false;
  }
  const start = processStartTime(p.pid);
  return p.start === null || start === null || start === p.start;
}

/** Start time in clock ticks since boot, or null off Linux. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) may contain spaces and parens; the fields after the last ")" are plain.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
