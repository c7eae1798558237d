import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path/posix";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { DEFAULT_NETWORK_LIMITS, type DownloadLimits } from "../net/limits";
import { TransferWatchdog } from "../net/watchdog";
import { fetchWithRoots } from "../net/extra-ca";
import { fetchErrorMessage } from "../net/fetch-error";
import { CopyError } from "./errors";

/** A file `ADD <url>` fetched into the temp dir. */
export interface DownloadedFile {
  /** Host path of the downloaded content. */
  hostPath: string;
  /** Name it takes under a destination directory. */
  name: string;
  size: number;
  /** From Last-Modified, when the server sent one. */
  mtimeMs: number | undefined;
  /** "<algorithm>:<hex>" of the content (sha256, or the --checksum algorithm). */
  digest: string;
}

const CHECKSUM = /^(sha256|sha384|sha512):([0-9a-f]+)$/;
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Parses `ADD --checksum`; throws COPY_BAD_CHECKSUM for anything but `<sha256|sha384|sha512>:<hex>`. */
export function parseChecksum(value: string): { algorithm: string; hex: string } {
  const m = CHECKSUM.exec(value);
  if (m === null || m[2].length !== HEX_LENGTH[m[1]]) {
    throw new CopyError(
      "COPY_BAD_CHECKSUM",
      `parse --checksum=${value}: expected sha256:, sha384: or sha512: and the hex digest`,
    );
  }
  return { algorithm: m[1], hex: m[2] };
}

/** Redirects followed before giving up, as Go's HTTP client (and so BuildKit) does. */
export const MAX_REDIRECTS = 10;

/**
 * Downloads `url` (redirects followed) into a new file under `dir`, streaming: the content is
 * never held in memory, and is hashed on the way. With `checksum` the digest must match, else
 * COPY_CHECKSUM_MISMATCH (the partial file is removed). A failed request, an error status, a
 * redirect loop, a body cut short or over `limits.maxDownloadSize`, a stalled or dripping server
 * (`limits`, see NetworkLimits) are COPY_DOWNLOAD_FAILED naming the URL and the status or the
 * bytes received; nothing is left behind.
 *
 * The name is the last segment of the URL path, like BuildKit's Dockerfile frontend; when the
 * path has none (`http://host/`), the Content-Disposition filename, else "__unnamed__".
 */
export async function downloadUrl(
  url: string,
  dir: string,
  options: { checksum?: string; signal?: AbortSignal; limits?: Partial<DownloadLimits> } = {},
): Promise<DownloadedFile> {
  const expected = options.checksum === undefined ? undefined : parseChecksum(options.checksum);
  const limits = { ...DEFAULT_NETWORK_LIMITS, ...(options.limits ?? {}) };
  const fail = (reason: string, cause?: unknown): never => {
    throw new CopyError(
      "COPY_DOWNLOAD_FAILED",
      `download ${url}: ${reason}`,
      cause === undefined ? {} : { cause },
    );
  };
  let received = 0;
  const watchdog = new AbortController();
  let expired: string | undefined;
  const guard = new TransferWatchdog(
    limits,
    () => received,
    (reason) => {
      expired = reason;
      watchdog.abort(new Error(reason));
    },
  );
  const signal = options.signal ? AbortSignal.any([options.signal, watchdog.signal]) : watchdog.signal;
  const why = (err: unknown): string =>
    expired ?? (options.signal?.aborted ? "aborted" : fetchErrorMessage(err));
  const hostPath = `${dir}/download-${randomBytes(6).toString("hex")}`;
  try {
    const response = await follow(url, signal, why, fail);
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > limits.maxDownloadSize) {
      await response.body?.cancel().catch(() => undefined);
      fail(
        `the server announces ${declared} bytes, more than the ${limits.maxDownloadSize}-byte limit (--max-download-size)`,
      );
    }
    await fs.promises.mkdir(dir, { recursive: true });
    const hash = createHash(expected?.algorithm ?? "sha256");
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > limits.maxDownloadSize) {
          done(new RangeError(`more than the ${limits.maxDownloadSize}-byte limit (--max-download-size)`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      // fetch's ReadableStream (DOM lib types) and node:stream/web's are the same object at run
      // time; their TypeScript declarations differ.
      const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
      await pipeline(body, meter, fs.createWriteStream(hostPath, { mode: 0o600 }), { signal });
    } catch (err) {
      const of = Number.isFinite(declared) ? ` of ${declared}` : "";
      fail(
        err instanceof RangeError
          ? `the body is ${err.message}`
          : `the transfer failed after ${received}${of} bytes: ${why(err)}`,
        err,
      );
    }
    if (Number.isFinite(declared) && received !== declared) {
      fail(`the body ended after ${received} of the ${declared} bytes the server announced`);
    }
    const hex = hash.digest("hex");
    if (expected !== undefined && hex !== expected.hex) {
      throw new CopyError(
        "COPY_CHECKSUM_MISMATCH",
        // BuildKit's wording first ("digest mismatch"), then both digests.
        `digest mismatch for ${url}: expected ${expected.algorithm}:${expected.hex}, got ${expected.algorithm}:${hex}`,
      );
    }
    const lastModified = Date.parse(response.headers.get("last-modified") ?? "");
    return {
      hostPath,
      // Named after the URL as written, not where redirects led (BuildKit names it before fetching).
      name: fileName(url, response.headers.get("content-disposition")),
      size: received,
      mtimeMs: Number.isNaN(lastModified) ? undefined : lastModified,
      digest: `${expected?.algorithm ?? "sha256"}:${hex}`,
    };
  } catch (err) {
    await fs.promises.rm(hostPath, { force: true });
    throw err;
  } finally {
    guard.stop();
  }
}

/** GETs `url`, following up to MAX_REDIRECTS redirects itself so a loop can be named. */
async function follow(
  url: string,
  signal: AbortSignal,
  why: (err: unknown) => string,
  fail: (reason: string, cause?: unknown) => never,
): Promise<Response> {
  let current = url;
  const hops: string[] = [];
  for (;;) {
    let response: Response;
    try {
      response = await fetchWithRoots(current, { redirect: "manual", signal });
    } catch (err) {
      return fail(hops.length > 0 ? `request to ${current} failed: ${why(err)}` : why(err), err);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel().catch(() => undefined);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return fail(`server answered ${response.status} with a bad Location ${JSON.stringify(location)}`);
      }
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        return fail(
          `server answered ${response.status}, redirecting to ${next.protocol} (only http and https are followed)`,
        );
      }
      if (hops.length >= MAX_REDIRECTS) {
        const loop = hops.includes(next.href) ? " (a redirect loop)" : "";
        return fail(
          `stopped after ${MAX_REDIRECTS} redirects${loop}; the last was ${response.status} to ${next.href}`,
        );
      }
      hops.push(next.href);
      current = next.href;
      continue;
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      const at = hops.length > 0 ? ` (after redirects, at ${current})` : "";
      return fail(`server answered ${response.status} ${response.statusText}`.trimEnd() + at);
    }
    return response;
  }
}

/** The file name of a download (see downloadUrl); never empty, never containing "/". */
export function fileName(url: string, contentDisposition: string | null): string {
  let pathname = "";
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    pathname = "";
  }
  const base = path.basename(pathname);
  if (base !== "" && base !== "." && base !== "..") return base;
  const fromHeader = dispositionName(contentDisposition);
  return fromHeader ?? "__unnamed__";
}

function dispositionName(header: string | null): string | undefined {
  if (header === null) return undefined;
  let name: string | undefined;
  const extended = /filename\*\s*=\s*(?:[\w-]+)?'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      name = decodeURIComponent(extended[1].trim());
    } catch {
      name = undefined;
    }
  }
  if (name === undefined) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
    if (plain) name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : plain[2];
  }
  if (name === undefined) return undefined;
  const base = path.basename(name.replace(/\\/g, "/"));
  return base === "" || base === "." || base === ".." ? undefined : base;
}
