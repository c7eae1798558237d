import type * as http from "node:http";
import type * as https from "node:https";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { DEFAULT_NETWORK_LIMITS, type NetworkLimits } from "../net/limits";
import { TransferWatchdog } from "../net/watchdog";
import { tlsRoots } from "../net/extra-ca";
import { asBuffer } from "../bytes";

/**
 * One HTTP exchange over node:http/https, no retries, no auth: the bottom of the registry
 * client. Keep-alive agents are shared so a pull's many blob requests reuse connections.
 */
export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** A Buffer, or a factory returning a fresh stream (called once per attempt so retries can resend). */
  body?: Buffer | (() => Promise<Readable>) | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Stall, drip and duration limits over the whole exchange, body included (see NetworkLimits);
   * bytes in either direction count, so a long upload is not "idle".
   */
  limits?: NetworkLimits | undefined;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Must be consumed or destroyed by the caller (keep-alive depends on it). */
  body: http.IncomingMessage;
  url: URL;
}

/** A transport failure before or during the response headers; `code` is the errno-style code. */
export class TransportFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface Client {
  mod: typeof http | typeof https;
  agent: http.Agent;
}

/**
 * node:http and node:https (and tls under them) load on the first request: a build whose base
 * images are all in the local store never pays for them at start-up.
 */
const clients: { "http:"?: Client; "https:"?: Client } = {};
function clientFor(protocol: string): Client {
  const key = protocol === "https:" ? "https:" : "http:";
  let client = clients[key];
  if (client === undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use */
    const mod =
      key === "https:" ? (require("node:https") as typeof https) : (require("node:http") as typeof http);
    /* eslint-enable @typescript-eslint/no-require-imports */
    const ca = key === "https:" ? tlsRoots() : undefined;
    const options = { keepAlive: true, maxSockets: 32, ...(ca !== undefined ? { ca: [...ca] } : {}) };
    client = { mod, agent: new mod.Agent(options) };
    clients[key] = client;
  }
  return client;
}

export const DEFAULT_TIMEOUT_MS = DEFAULT_NETWORK_LIMITS.idleTimeoutMs;

export function sendRequest(req: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const { mod, agent } = clientFor(req.url.protocol);
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (Buffer.isBuffer(req.body)) headers["content-length"] = String(req.body.length);
    let settled = false;
    const fail = (err: TransportFailure): void => {
      guard.stop();
      if (settled) return;
      settled = true;
      reject(err);
    };
    const limits = req.limits ?? DEFAULT_NETWORK_LIMITS;
    let socket: Socket | undefined;
    let base: number | undefined;
    let response: http.IncomingMessage | undefined;
    const moved = (): number => {
      if (socket === undefined) return 0;
      const total = socket.bytesRead + socket.bytesWritten;
      // A kept-alive socket carries earlier exchanges' bytes: count from where this one began.
      base ??= total;
      return total - base;
    };
    const guard = new TransferWatchdog(limits, moved, (reason) => {
      const failure = new TransportFailure("ETIMEDOUT", reason);
      if (response) response.destroy(failure);
      else r.destroy(failure);
    });
    const r = mod.request(req.url, { method: req.method, headers, agent, signal: req.signal }, (res) => {
      settled = true;
      response = res;
      res.once("close", () => guard.stop());
      // After the headers, the idle timeout keeps guarding the body: a stalled body errors.
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
    });
    r.once("socket", (s: Socket) => {
      socket = s;
      base = s.bytesRead + s.bytesWritten;
    });
    r.on("error", (err: NodeJS.ErrnoException) => {
      if (err instanceof TransportFailure) return fail(err);
      if (err.name === "AbortError") return fail(new TransportFailure("ABORTED", "aborted", { cause: err }));
      fail(new TransportFailure(err.code ?? "EIO", err.message, { cause: err }));
    });
    if (req.body === undefined) {
      r.end();
    } else if (Buffer.isBuffer(req.body)) {
      r.end(req.body);
    } else {
      req.body().then(
        (stream) => {
          stream.on("error", (err) => r.destroy(err));
          stream.pipe(r);
        },
        (err: Error) => r.destroy(err),
      );
    }
  });
}

/** Reads a (small) response body, failing once it exceeds `limit` bytes. */
export async function readBody(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = asBuffer(chunk);
    size += buf.length;
    if (size > limit) {
      body.destroy();
      throw new RangeError(`body larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Discards a body so the connection can be reused. */
export async function drain(body: Readable): Promise<void> {
  try {
    for await (const _ of body) void _;
  } catch {
    // A broken body on a response we are discarding is not interesting.
  }
}
