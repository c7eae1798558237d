import type { Readable } from "node:stream";
import { RegistryError } from "./errors";
import { headerValue, type RegistryClient } from "./http-client";
import { drain } from "./transport";
import { asBuffer } from "../bytes";

/** The blob to upload: identity and a way to open its bytes (once per attempt). */
export interface UploadSource {
  digest: string;
  size: number;
  open: () => Promise<Readable>;
}

export interface UploadContext {
  client: RegistryClient;
  repository: string;
  scopes: readonly string[];
  what: string;
  signal?: AbortSignal | undefined;
}

const OCTET = "application/octet-stream";

/** True if the repository already has the blob (HEAD 200). */
export async function blobExists(ctx: UploadContext, digest: string): Promise<boolean> {
  const res = await ctx.client.send(
    {
      method: "HEAD",
      path: `/v2/${ctx.repository}/blobs/${digest}`,
      scopes: ctx.scopes,
      what: `${ctx.what}: check blob ${digest}`,
      signal: ctx.signal,
    },
    (s) => s === 200 || s === 404,
  );
  await drain(res.body);
  return res.status === 200;
}

function location(
  ctx: UploadContext,
  headers: Record<string, string | string[] | undefined>,
  what: string,
): string {
  const loc = headerValue(headers.location);
  if (!loc)
    throw new RegistryError(
      "REGISTRY_PROTOCOL",
      `${what}: registry ${ctx.client.registry} started an upload without a Location`,
    );
  return new URL(loc, ctx.client.baseUrl).toString();
}

/**
 * Tries a cross-repository mount from `from` (same registry). Returns "mounted" (201), or the
 * upload location the registry opened instead (202: it could not or would not mount).
 */
export async function mountBlob(
  ctx: UploadContext,
  digest: string,
  from: string,
): Promise<{ mounted: true } | { mounted: false; location: string }> {
  const what = `${ctx.what}: mount blob ${digest} from ${from}`;
  const q = new URLSearchParams({ mount: digest, from });
  const res = await ctx.client.send(
    {
      method: "POST",
      path: `/v2/${ctx.repository}/blobs/uploads/?${q}`,
      headers: { "content-length": "0" },
      scopes: ctx.scopes,
      what,
      signal: ctx.signal,
    },
    (s) => s === 201 || s === 202,
  );
  await drain(res.body);
  if (res.status === 201) return { mounted: true };
  return { mounted: false, location: location(ctx, res.headers, what) };
}

/** Opens an upload session: POST …/blobs/uploads/ → 202 Location. */
export async function startUpload(ctx: UploadContext, digest: string): Promise<string> {
  const what = `${ctx.what}: start upload of blob ${digest}`;
  const res = await ctx.client.send(
    {
      method: "POST",
      path: `/v2/${ctx.repository}/blobs/uploads/`,
      headers: { "content-length": "0" },
      scopes: ctx.scopes,
      what,
      signal: ctx.signal,
    },
    (s) => s === 202,
  );
  await drain(res.body);
  return location(ctx, res.headers, what);
}

function withDigest(loc: string, digest: string): string {
  const url = new URL(loc);
  url.searchParams.set("digest", digest);
  return url.toString();
}

/** Monolithic upload: one PUT with the whole blob streamed as the body. */
export async function uploadMonolithic(ctx: UploadContext, loc: string, blob: UploadSource): Promise<void> {
  const res = await ctx.client.send(
    {
      method: "PUT",
      path: withDigest(loc, blob.digest),
      headers: { "content-type": OCTET, "content-length": String(blob.size) },
      body: blob.open,
      scopes: ctx.scopes,
      what: `${ctx.what}: upload blob ${blob.digest}`,
      signal: ctx.signal,
    },
    (s) => s === 201,
  );
  await drain(res.body);
}

/** Cuts a stream into `size`-byte Buffers (the last may be shorter); memory stays at one chunk. */
async function* chunksOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const data of stream) {
    let buf = asBuffer(data);
    while (buf.length > 0) {
      const take = Math.min(size - have, buf.length);
      parts.push(buf.subarray(0, take));
      have += take;
      buf = buf.subarray(take);
      if (have === size) {
        yield Buffer.concat(parts);
        parts = [];
        have = 0;
      }
    }
  }
  if (have > 0) yield Buffer.concat(parts);
}

/**
 * Chunked upload: PATCH each `chunkSize` piece with its Content-Range, following the Location
 * the registry returns after each, then PUT ?digest= to close. Each chunk is a Buffer, so a
 * transient failure retries just that chunk.
 */
export async function uploadChunked(
  ctx: UploadContext,
  loc: string,
  blob: UploadSource,
  chunkSize: number,
  onBytes?: (n: number) => void,
): Promise<void> {
  let offset = 0;
  const stream = await blob.open();
  try {
    for await (const chunk of chunksOf(stream, chunkSize)) {
      const res = await ctx.client.send(
        {
          method: "PATCH",
          path: loc,
          headers: { "content-type": OCTET, "content-range": `${offset}-${offset + chunk.length - 1}` },
          body: chunk,
          scopes: ctx.scopes,
          what: `${ctx.what}: upload blob ${blob.digest} bytes ${offset}-${offset + chunk.length - 1}`,
          signal: ctx.signal,
        },
        (s) => s === 202,
      );
      await drain(res.body);
      loc = location(ctx, res.headers, `${ctx.what}: upload blob ${blob.digest}`);
      offset += chunk.length;
      onBytes?.(offset);
    }
  } finally {
    stream.destroy();
  }
  if (offset !== blob.size) {
    throw new RegistryError(
      "REGISTRY_BLOB_TRUNCATED",
      `${ctx.what}: blob ${blob.digest} produced ${offset} bytes, its descriptor says ${blob.size}`,
    );
  }
  const res = await ctx.client.send(
    {
      method: "PUT",
      path: withDigest(loc, blob.digest),
      headers: { "content-length": "0" },
      scopes: ctx.scopes,
      what: `${ctx.what}: finish upload of blob ${blob.digest}`,
      signal: ctx.signal,
    },
    (s) => s === 201,
  );
  await drain(res.body);
}
