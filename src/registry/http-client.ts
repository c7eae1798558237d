import { Authenticator } from "./auth/authenticator";
import type { CredentialSource } from "./auth/credentials";
import { RegistryError, type RegistryErrorCode } from "./errors";
import { allowsPlainHttp, apiHost } from "./reference";
import {
  DEFAULT_RETRY,
  backoffDelay,
  isTransientCode,
  isTransientStatus,
  parseRetryAfter,
  sleep,
  type RetryPolicy,
} from "./retry";
import { DEFAULT_NETWORK_LIMITS, type NetworkLimits } from "../net/limits";
import {
  TransportFailure,
  drain,
  readBody,
  sendRequest,
  type HttpRequest,
  type HttpResponse,
} from "./transport";
import { isRecord } from "../guards";
import { errorMessage } from "../errors";

export interface RegistryClientOptions {
  /** Hosts (or host:port) reachable over plain HTTP besides loopback: `--insecure-registry`. */
  insecure?: readonly string[] | undefined;
  credentials?: CredentialSource;
  retry?: Partial<RetryPolicy>;
  /** Shorthand for `limits.idleTimeoutMs`. */
  timeoutMs?: number | undefined;
  /** Stall, drip and duration limits of every request (defaults: DEFAULT_NETWORK_LIMITS). */
  limits?: Partial<NetworkLimits> | undefined;
}

export interface ClientRequest {
  method: string;
  /** A path like "/v2/library/alpine/manifests/latest", or an absolute URL (upload locations). */
  path: string;
  headers?: Record<string, string>;
  body?: HttpRequest["body"] | undefined;
  /** Token scopes the request needs. */
  scopes: readonly string[];
  /** Verb phrase and image for error messages, e.g. "fetch manifest 127.0.0.1:5000/x:latest". */
  what: string;
  signal?: AbortSignal | undefined;
}

const MAX_REDIRECTS = 5;
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * HTTP to one registry: scheme choice (HTTPS unless loopback/insecure), authentication
 * (challenge → token/basic, retried once), bounded retries with backoff on transient failures,
 * redirects (Authorization dropped when the host changes), and mapping of failures to
 * RegistryError. Returned responses are 2xx/3xx-free successes or statuses the caller asked to
 * see (`accept` in `send`).
 */
export class RegistryClient {
  readonly baseUrl: URL;
  readonly auth: Authenticator;
  private readonly retry: RetryPolicy;
  private readonly limits: NetworkLimits;

  constructor(
    readonly registry: string,
    opts: RegistryClientOptions = {},
  ) {
    const scheme = allowsPlainHttp(registry, opts.insecure) ? "http" : "https";
    this.baseUrl = new URL(`${scheme}://${apiHost(registry)}`);
    this.retry = { ...DEFAULT_RETRY, ...(opts.retry ?? {}) };
    this.limits = {
      ...DEFAULT_NETWORK_LIMITS,
      ...(opts.timeoutMs !== undefined ? { idleTimeoutMs: opts.timeoutMs } : {}),
      ...(opts.limits ?? {}),
    };
    this.auth = new Authenticator(registry, opts.credentials, {
      insecure: opts.insecure,
      timeoutMs: this.limits.idleTimeoutMs,
    });
  }

  /**
   * Sends `req` and returns the response if its status is in `accept` (default: any 2xx).
   * Anything else becomes a RegistryError; the body of such a response is consumed here.
   */
  async send(
    req: ClientRequest,
    accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
  ): Promise<HttpResponse> {
    let url = new URL(req.path, this.baseUrl);
    let retries = 0;
    let challenged = false;
    let redirects = 0;
    let authorize = true;
    for (;;) {
      const headers: Record<string, string> = { "user-agent": "tsbuild", ...(req.headers ?? {}) };
      let sentAuthorization: string | undefined;
      if (authorize) {
        sentAuthorization = await this.auth.authorization(req.scopes);
        if (sentAuthorization) headers.authorization = sentAuthorization;
      }
      let res: HttpResponse;
      try {
        res = await sendRequest({
          method: req.method,
          url,
          headers,
          body: req.body,
          signal: req.signal,
          limits: this.limits,
        });
      } catch (err) {
        const code = err instanceof TransportFailure ? err.code : "EIO";
        if (code === "ABORTED" || req.signal?.aborted)
          throw new RegistryError("REGISTRY_ABORTED", `${req.what}: aborted`, { cause: err });
        if (isTransientCode(code) && retries + 1 < this.retry.attempts) {
          retries++;
          await sleep(backoffDelay(this.retry, retries), req.signal);
          continue;
        }
        const kind: RegistryErrorCode = code === "ETIMEDOUT" ? "REGISTRY_TIMEOUT" : "REGISTRY_UNREACHABLE";
        const after = retries > 0 ? ` after ${retries + 1} attempts` : "";
        throw new RegistryError(
          kind,
          kind === "REGISTRY_TIMEOUT"
            ? `${req.what}: registry ${this.registry} at ${url.origin} timed out: ${errorMessage(err)}${after}`
            : `${req.what}: registry ${this.registry} unreachable at ${url.origin} (${code}${after})`,
          { cause: err },
        );
      }
      if (accept(res.status)) return res;
      if (res.status === 401 && !challenged) {
        await drain(res.body);
        challenged = true;
        if (
          await this.auth.respond(
            res.headers["www-authenticate"],
            req.scopes,
            req.what,
            sentAuthorization,
            req.signal,
          )
        )
          continue;
        throw await this.statusError(req, res, retries);
      }
      if (isRedirect(res.status) && res.headers.location && redirects < MAX_REDIRECTS) {
        await drain(res.body);
        const next = new URL(res.headers.location, url);
        // Blob storage (S3, CDN) must not see the registry's token.
        if (next.host !== this.baseUrl.host) authorize = false;
        url = next;
        redirects++;
        continue;
      }
      if (isRedirect(res.status) && res.headers.location) {
        await drain(res.body);
        throw new RegistryError(
          "REGISTRY_PROTOCOL",
          `${req.what}: registry ${this.registry} redirected more than ${MAX_REDIRECTS} times (a redirect loop), last to ${new URL(res.headers.location, url).href.split("?")[0]}`,
        );
      }
      if (isTransientStatus(res.status) && retries + 1 < this.retry.attempts) {
        const retryAfter = parseRetryAfter(headerValue(res.headers["retry-after"]));
        if (retryAfter === undefined || retryAfter <= this.retry.maxRetryAfterMs) {
          await drain(res.body);
          retries++;
          await sleep(retryAfter ?? backoffDelay(this.retry, retries), req.signal);
          continue;
        }
      }
      throw await this.statusError(req, res, retries);
    }
  }

  /** Builds the RegistryError for an unexpected status, quoting the registry's error code/message. */
  private async statusError(req: ClientRequest, res: HttpResponse, retries: number): Promise<RegistryError> {
    let detail = "";
    try {
      const text = (await readBody(res.body, ERROR_BODY_LIMIT)).toString("utf8");
      const parsed: unknown = JSON.parse(text);
      const first: unknown = isRecord(parsed) && Array.isArray(parsed.errors) ? parsed.errors[0] : undefined;
      if (isRecord(first)) {
        const words = [first.code, first.message].filter(
          (w): w is string => typeof w === "string" && w !== "",
        );
        detail = `: ${words.join(" ")}`.slice(0, 300);
      }
    } catch {
      // Not a Distribution error body; the status says enough.
    }
    const s = res.status;
    const after = retries > 0 ? ` after ${retries + 1} attempts` : "";
    const base = `${req.what}: registry ${this.registry} answered HTTP ${s}${detail}${after}`;
    const code: RegistryErrorCode =
      s === 401
        ? "REGISTRY_UNAUTHORIZED"
        : s === 403
          ? "REGISTRY_DENIED"
          : s === 404
            ? /manifests\//.test(req.path)
              ? "REGISTRY_MANIFEST_UNKNOWN"
              : "REGISTRY_BLOB_UNKNOWN"
            : s === 429
              ? "REGISTRY_TOO_MANY_REQUESTS"
              : s >= 500
                ? "REGISTRY_SERVER_ERROR"
                : "REGISTRY_PROTOCOL";
    return new RegistryError(code, base, { status: s });
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

export function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
