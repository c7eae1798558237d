import { DEFAULT_NETWORK_LIMITS, type NetworkLimits } from "../net/limits";
import { TransferWatchdog } from "../net/watchdog";
import { fetchWithRoots } from "../net/extra-ca";
import { fetchErrorMessage } from "../net/fetch-error";
import type { UrlValidator } from "../planner/dispatch/inputs";
import { BuildError } from "./errors";

/**
 * ADD <url> cache validation: a HEAD request per URL (redirects followed); the ETag, else
 * Last-Modified with Content-Length, says whether the content moved. A server that gives neither
 * makes the step uncacheable (its key changes every build), never stale.
 */
export function httpUrlValidator(
  signal?: AbortSignal,
  limits: NetworkLimits = DEFAULT_NETWORK_LIMITS,
): UrlValidator {
  const seen = new Map<string, Promise<string>>();
  return {
    validator(url) {
      let p = seen.get(url);
      if (!p) {
        p = check(url, signal, limits);
        seen.set(url, p);
      }
      return p;
    },
  };
}

async function check(url: string, signal: AbortSignal | undefined, limits: NetworkLimits): Promise<string> {
  let res: Response;
  // A HEAD is a network read too: the same stall and duration limits as the download.
  const watchdog = new AbortController();
  let expired: string | undefined;
  const guard = new TransferWatchdog(
    limits,
    () => 0,
    (reason) => {
      expired = reason;
      watchdog.abort(new Error(reason));
    },
  );
  try {
    const any = signal ? AbortSignal.any([signal, watchdog.signal]) : watchdog.signal;
    res = await fetchWithRoots(url, { method: "HEAD", redirect: "follow", signal: any });
  } catch (err) {
    const reason = expired ?? fetchErrorMessage(err);
    throw new BuildError("ADD_URL_UNREACHABLE", `check ${url}: ${reason}`);
  } finally {
    guard.stop();
  }
  if (!res.ok) throw new BuildError("ADD_URL_STATUS", `check ${url}: HTTP ${res.status}`);
  const etag = res.headers.get("etag");
  if (etag) return `etag:${etag}`;
  const modified = res.headers.get("last-modified");
  if (modified) return `modified:${modified}:${res.headers.get("content-length") ?? ""}`;
  return `uncacheable:${Date.now()}:${Math.random()}`;
}
