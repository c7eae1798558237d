import type { UrlValidator } from "../planner/dispatch/inputs";
import { BuildError } from "./errors";

/**
 * ADD <url> cache validation: a HEAD request per URL (redirects followed); the ETag, else
 * Last-Modified with Content-Length, says whether the content moved. A server that gives neither
 * makes the step uncacheable (its key changes every build), never stale.
 */
export function httpUrlValidator(signal?: AbortSignal): UrlValidator {
  const seen = new Map<string, Promise<string>>();
  return {
    validator(url) {
      let p = seen.get(url);
      if (!p) {
        p = check(url, signal);
        seen.set(url, p);
      }
      return p;
    },
  };
}

async function check(url: string, signal: AbortSignal | undefined): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { method: "HEAD", redirect: "follow", ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new BuildError("ADD_URL_UNREACHABLE", `check ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new BuildError("ADD_URL_STATUS", `check ${url}: HTTP ${res.status}`);
  const etag = res.headers.get("etag");
  if (etag) return `etag:${etag}`;
  const modified = res.headers.get("last-modified");
  if (modified) return `modified:${modified}:${res.headers.get("content-length") ?? ""}`;
  return `uncacheable:${Date.now()}:${Math.random()}`;
}
