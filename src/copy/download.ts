import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path/posix";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
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

/**
 * Downloads `url` (redirects followed) into a new file under `dir`, streaming: the content is
 * never held in memory, and is hashed on the way. With `checksum` the digest must match, else
 * COPY_CHECKSUM_MISMATCH (the partial file is removed). A failed request or an error status is
 * COPY_DOWNLOAD_FAILED.
 *
 * The name is the last segment of the URL path, like BuildKit's Dockerfile frontend; when the
 * path has none (`http://host/`), the Content-Disposition filename, else "__unnamed__".
 */
export async function downloadUrl(
  url: string,
  dir: string,
  options: { checksum?: string; signal?: AbortSignal } = {},
): Promise<DownloadedFile> {
  const expected = options.checksum === undefined ? undefined : parseChecksum(options.checksum);
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow", signal: options.signal ?? null });
  } catch (err) {
    throw new CopyError("COPY_DOWNLOAD_FAILED", `download ${url}: ${describe(err)}`, { cause: err });
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw new CopyError(
      "COPY_DOWNLOAD_FAILED",
      `download ${url}: server answered ${response.status} ${response.statusText}`.trimEnd(),
    );
  }
  await fs.promises.mkdir(dir, { recursive: true });
  const hostPath = `${dir}/download-${randomBytes(6).toString("hex")}`;
  const hash = createHash(expected?.algorithm ?? "sha256");
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    const body = Readable.fromWeb(response.body);
    await pipeline(body, hasher, fs.createWriteStream(hostPath, { mode: 0o600 }), { signal: options.signal });
  } catch (err) {
    await fs.promises.rm(hostPath, { force: true });
    throw new CopyError("COPY_DOWNLOAD_FAILED", `download ${url}: ${describe(err)}`, { cause: err });
  }
  const hex = hash.digest("hex");
  if (expected !== undefined && hex !== expected.hex) {
    await fs.promises.rm(hostPath, { force: true });
    throw new CopyError(
      "COPY_CHECKSUM_MISMATCH",
      `verify checksum of ${url}: expected ${expected.algorithm}:${expected.hex}, got ${expected.algorithm}:${hex}`,
    );
  }
  const lastModified = Date.parse(response.headers.get("last-modified") ?? "");
  return {
    hostPath,
    // Named after the URL as written, not where redirects led (BuildKit names it before fetching).
    name: fileName(url, response.headers.get("content-disposition")),
    size,
    mtimeMs: Number.isNaN(lastModified) ? undefined : lastModified,
    digest: `${expected?.algorithm ?? "sha256"}:${hex}`,
  };
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

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
