import { Transform, pipeline, type TransformCallback } from "node:stream";
import type { BlobStore } from "../cache/blob-store";
import { BlobStoreError } from "../cache/errors";
import type { Descriptor } from "../image/descriptor";
import { RegistryError } from "./errors";
import type { RegistryClient } from "./http-client";
import { sleep, backoffDelay, DEFAULT_RETRY } from "./retry";
import { errorMessage } from "../errors";

/** Progress of one blob download, for a progress display. */
export interface BlobProgress {
  digest: string;
  /** Bytes received so far (0 at start; `total` when done or skipped). */
  current: number;
  total: number;
  status: "downloading" | "done" | "exists";
}

const COALESCE_BYTES = 1024 * 1024;

/** Counts bytes and refuses to pass more than the descriptor promised (a registry cannot fill the disk). */
class SizeGuard extends Transform {
  received = 0;
  private lastReport = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  constructor(
    private readonly limit: number,
    private readonly onBytes: (n: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.limit) {
      cb(new RangeError(`more than the ${this.limit} bytes its descriptor declares`));
      return;
    }
    if (this.received - this.lastReport >= 1024 * 1024 || this.received === this.limit) {
      this.lastReport = this.received;
      this.onBytes(this.received);
    }
    // Socket reads are ~64 KiB; handing the store 1 MiB writes saves most of its per-write cost.
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= COALESCE_BYTES) this.flushPending();
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.flushPending();
    cb();
  }

  private flushPending(): void {
    if (this.pendingBytes === 0) return;
    this.push(this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/**
 * Downloads one blob into the store, verified: the store hashes while writing and only renames
 * the temp file into place if digest and size match, so nothing unverified becomes visible. A body
 * that ends early (connection dropped) is retried from the start; a wrong digest is not (the
 * registry would send the same bytes again).
 */
export async function fetchBlobToStore(
  client: RegistryClient,
  repository: string,
  desc: Descriptor,
  blobs: BlobStore,
  opts: {
    scopes: readonly string[];
    what: string;
    signal?: AbortSignal | undefined;
    onProgress?: ((p: BlobProgress) => void) | undefined;
    attempts?: number;
  },
): Promise<void> {
  const what = `${opts.what}: blob ${desc.digest}`;
  const attempts = opts.attempts ?? DEFAULT_RETRY.attempts;
  for (let attempt = 1; ; attempt++) {
    const res = await client.send({
      method: "GET",
      path: `/v2/${repository}/blobs/${desc.digest}`,
      scopes: opts.scopes,
      what,
      signal: opts.signal,
    });
    const declared =
      res.headers["content-length"] !== undefined ? Number(res.headers["content-length"]) : undefined;
    if (declared !== undefined && declared > desc.size) {
      res.body.destroy();
      throw new RegistryError(
        "REGISTRY_DIGEST_MISMATCH",
        `${what}: registry ${client.registry} sent ${declared} bytes, the descriptor says ${desc.size}`,
      );
    }
    opts.onProgress?.({ digest: desc.digest, current: 0, total: desc.size, status: "downloading" });
    const guard = new SizeGuard(desc.size, (n) =>
      opts.onProgress?.({ digest: desc.digest, current: n, total: desc.size, status: "downloading" }),
    );
    try {
      // pipeline forwards a dropped connection's error into the store's writer, which aborts.
      await blobs.put(
        pipeline(res.body, guard, () => undefined),
        { digest: desc.digest, size: desc.size },
      );
      opts.onProgress?.({ digest: desc.digest, current: desc.size, total: desc.size, status: "done" });
      return;
    } catch (err) {
      res.body.destroy();
      if (opts.signal?.aborted)
        throw new RegistryError("REGISTRY_ABORTED", `${what}: aborted`, { cause: err });
      const truncated = guard.received < desc.size && !(err instanceof RangeError);
      if (truncated) {
        if (attempt < attempts) {
          await sleep(backoffDelay(DEFAULT_RETRY, attempt), opts.signal);
          continue;
        }
        throw new RegistryError(
          "REGISTRY_BLOB_TRUNCATED",
          `${what}: registry ${client.registry} sent ${guard.received} of ${desc.size} bytes (after ${attempt} attempts; ${errorMessage(err)})`,
          { cause: err },
        );
      }
      if (
        err instanceof RangeError ||
        (err instanceof BlobStoreError &&
          (err.code === "BLOB_DIGEST_MISMATCH" || err.code === "BLOB_SIZE_MISMATCH"))
      ) {
        throw new RegistryError(
          "REGISTRY_DIGEST_MISMATCH",
          `${what}: content from registry ${client.registry} does not match its digest (${err.message}); nothing was stored`,
          { cause: err },
        );
      }
      throw err;
    }
  }
}
