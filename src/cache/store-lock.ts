import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { CacheError, isErrno } from "./errors";
import { currentProcess, isProcessAlive, type ProcessIdentity } from "./process-liveness";
import { errorMessage } from "../errors";
import { isRecord } from "../guards";

/**
 * An exclusive cross-process lock on a file, for short critical sections (image index updates,
 * record lookups) and for prune.
 *
 * Guarantees:
 * - Mutual exclusion: the lock file is created with O_CREAT|O_EXCL; whoever creates it holds it.
 * - Crash recovery: the file names its holder's pid and /proc start time. A waiter that finds the
 *   holder dead (no such pid, or the pid was reused by a process with another start time) breaks
 *   the lock. Breaking is itself serialized by a second O_EXCL file (`<lock>.break`) and re-reads
 *   the lock under it, so two waiters never both break it and never delete a fresh lock.
 * - Same-process callers queue on a promise chain instead of polling the file.
 * - Not re-entrant: acquiring twice from one async path deadlocks until the timeout.
 */
export interface LockOptions {
  /** Give up with CACHE_LOCK_TIMEOUT after this long (default 5 minutes: prune can be slow). */
  timeoutMs?: number;
  /** Poll interval while another process holds the lock. */
  pollMs?: number;
}

interface LockOwner extends ProcessIdentity {
  nonce: string;
}

/** A `<lock>.break` file older than this belongs to a waiter that died mid-break. */
const STALE_BREAKER_MS = 10_000;
const inProcessQueues = new Map<string, Promise<void>>();

export class StoreLock {
  constructor(
    readonly file: string,
    private readonly options: LockOptions = {},
  ) {}

  /** Runs `fn` while holding the lock. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  /** Waits for the lock; resolves to a function that releases it. */
  async acquire(): Promise<() => Promise<void>> {
    // Same-process queue first, so only one of our own callers at a time touches the file.
    const previous = inProcessQueues.get(this.file) ?? Promise.resolve();
    let releaseQueue!: () => void;
    const mine = new Promise<void>((resolve) => (releaseQueue = resolve));
    const tail = previous.then(() => mine);
    inProcessQueues.set(this.file, tail);
    await previous;
    let nonce: string;
    try {
      nonce = await this.acquireFile();
    } catch (err) {
      releaseQueue();
      if (inProcessQueues.get(this.file) === tail) inProcessQueues.delete(this.file);
      throw err;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        if (readOwnerSync(this.file)?.nonce === nonce) unlinkIfExists(this.file);
      } finally {
        releaseQueue();
        if (inProcessQueues.get(this.file) === tail) inProcessQueues.delete(this.file);
      }
    };
  }

  private async acquireFile(): Promise<string> {
    const timeoutMs = this.options.timeoutMs ?? 5 * 60_000;
    const pollMs = this.options.pollMs ?? 25;
    const deadline = Date.now() + timeoutMs;
    const owner: LockOwner = { ...currentProcess(), nonce: randomBytes(8).toString("hex") };
    for (;;) {
      try {
        // Synchronous, as the release: taken and released around every cache hit, where a
        // thread-pool round trip per call cost more than the calls.
        fs.writeFileSync(this.file, JSON.stringify(owner), { flag: "wx", mode: 0o644 });
        return owner.nonce;
      } catch (err) {
        if (!isErrno(err, "EEXIST")) {
          throw new CacheError("CACHE_IO", `create lock ${this.file}: ${errorMessage(err)}`, {
            cause: err,
          });
        }
      }
      await this.breakIfStale();
      if (Date.now() >= deadline) {
        const holder = await readOwner(this.file);
        throw new CacheError(
          "CACHE_LOCK_TIMEOUT",
          `acquire lock ${this.file}: still held by pid ${holder?.pid ?? "?"} after ${timeoutMs}ms`,
        );
      }
      await sleep(pollMs);
    }
  }

  private async breakIfStale(): Promise<void> {
    const seen = await readOwner(this.file);
    // An unreadable/half-written lock file: its creator is between create and write. Only a
    // creator that died there leaves it forever, so treat it as stale once it is old.
    if (seen === undefined) {
      const age = await fileAge(this.file);
      if (age === undefined || age < STALE_BREAKER_MS) return;
    } else if (isProcessAlive(seen)) {
      return;
    }
    const breaker = `${this.file}.break`;
    try {
      await fsp.writeFile(breaker, String(process.pid), { flag: "wx" });
    } catch (err) {
      if (!isErrno(err, "EEXIST")) throw err;
      const age = await fileAge(breaker);
      if (age !== undefined && age > STALE_BREAKER_MS) await fsp.rm(breaker, { force: true });
      return;
    }
    try {
      const now = await readOwner(this.file);
      const same = seen === undefined ? now === undefined : now?.nonce === seen.nonce;
      if (same) await fsp.rm(this.file, { force: true });
    } finally {
      await fsp.rm(breaker, { force: true });
    }
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return parseOwner(await fsp.readFile(file, "utf8"));
  } catch {
    return undefined;
  }
}

function readOwnerSync(file: string): LockOwner | undefined {
  try {
    return parseOwner(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed)) return undefined;
  const o = parsed;
  if (typeof o.pid !== "number" || typeof o.nonce !== "string") return undefined;
  return { pid: o.pid, start: typeof o.start === "string" ? o.start : null, nonce: o.nonce };
}

function unlinkIfExists(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
}

async function fileAge(file: string): Promise<number | undefined> {
  try {
    return Date.now() - (await fsp.stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}
