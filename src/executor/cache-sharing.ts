import { makeScratchDir } from "./scratch-dirs";
import * as fs from "node:fs";
import { RunAbortedError } from "./errors";
import { HOST_PATH } from "./runtime";
import type { CacheMount } from "./run-spec";
import { execFileAsync } from "../lazy-builtins";

/** A cache directory checked out for one step; `release` must be called once the step ends. */
export interface CacheCheckout {
  /** The host directory to bind: the cache itself, or a private throw-away copy. */
  path: string;
  release: () => Promise<void>;
}

interface CacheState {
  shared: number;
  exclusive: boolean;
  waiters: Array<() => void>;
}

const states = new Map<string, CacheState>();

/**
 * BuildKit's cache mount sharing modes, within this process:
 * - shared: any number of steps use the directory at once (waits only for a `locked` holder);
 * - locked: one step at a time; others wait their turn (abortable);
 * - private: the directory itself when nobody uses it, otherwise a copy that is discarded.
 */
export async function checkoutCache(
  mount: CacheMount,
  signal: AbortSignal | undefined,
  command: readonly string[],
): Promise<CacheCheckout> {
  await fs.promises.mkdir(mount.source, { recursive: true });
  const key = await fs.promises.realpath(mount.source);
  let state = states.get(key);
  if (state === undefined) {
    state = { shared: 0, exclusive: false, waiters: [] };
    states.set(key, state);
  }
  const s = state;
  const wake = (): void => {
    const waiters = s.waiters.splice(0);
    for (const w of waiters) w();
    if (s.shared === 0 && !s.exclusive && s.waiters.length === 0) states.delete(key);
  };

  if (mount.sharing === "private" && (s.shared > 0 || s.exclusive)) {
    const copy = await makeScratchDir("cache-private");
    // cp -a keeps owners, modes, xattrs and hard links, which fs.cp does not.
    await execFileAsync("cp", ["-a", "--", `${key}/.`, copy], { env: { PATH: HOST_PATH } });
    return { path: copy, release: () => fs.promises.rm(copy, { recursive: true, force: true }) };
  }

  const canEnter = (): boolean =>
    mount.sharing === "shared" ? !s.exclusive : !s.exclusive && s.shared === 0;
  while (!canEnter()) {
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new RunAbortedError(command));
      const waiter = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = s.waiters.indexOf(waiter);
        if (i >= 0) s.waiters.splice(i, 1);
        reject(new RunAbortedError(command));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      s.waiters.push(waiter);
    });
  }
  if (mount.sharing === "shared") s.shared++;
  else s.exclusive = true;

  let released = false;
  return {
    path: key,
    release: async () => {
      if (released) return;
      released = true;
      if (mount.sharing === "shared") s.shared--;
      else s.exclusive = false;
      wake();
    },
  };
}
