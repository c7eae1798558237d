import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { listDir } from "./errors";
import { writeFileAtomic } from "./atomic-file";
import { currentProcess, isProcessAlive, type ProcessIdentity } from "./process-liveness";

/**
 * Marks a build as running so prune does not delete what it is making. A build writes
 * `sessions/<pid>-<nonce>.json` when it starts and removes it when it ends; prune keeps every blob
 * and record touched (mtime / lastUsedAt) since the oldest live session started. A session whose
 * process is gone (kill -9) stops protecting anything and is removed by the next prune.
 */
export interface BuildSession {
  readonly startedAt: number;
  end(): Promise<void>;
}

interface SessionFile extends ProcessIdentity {
  startedAt: number;
}

export async function beginBuildSession(dir: string): Promise<BuildSession> {
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}-${randomBytes(6).toString("hex")}.json`);
  // Slack for filesystems with coarse mtimes: a blob written in the same tick still counts.
  const startedAt = Date.now() - 2000;
  const body: SessionFile = { ...currentProcess(), startedAt };
  // Atomic: prune deletes session files it cannot parse. Not durable: after a power cut the
  // build is gone too, and a lost or torn session file only stops protecting a dead build.
  await writeFileAtomic(file, JSON.stringify(body), { durable: false });
  return {
    startedAt,
    end: () => fsp.rm(file, { force: true }),
  };
}

/** The start time of the oldest live session, or undefined when no build is running. */
export async function oldestLiveSession(dir: string): Promise<number | undefined> {
  const names = await listDir(dir);
  let oldest: number | undefined;
  for (const name of names) {
    if (!name.endsWith(".json")) continue; // skips writeFileAtomic temp files
    const file = path.join(dir, name);
    let session: SessionFile | undefined;
    try {
      // Parsed as a session file; its fields are checked just below (a bad file is removed).
      session = JSON.parse(await fsp.readFile(file, "utf8")) as SessionFile;
    } catch {
      session = undefined;
    }
    if (
      !session ||
      typeof session.pid !== "number" ||
      typeof session.startedAt !== "number" ||
      !isProcessAlive(session)
    ) {
      await fsp.rm(file, { force: true });
      continue;
    }
    oldest = oldest === undefined ? session.startedAt : Math.min(oldest, session.startedAt);
  }
  return oldest;
}
