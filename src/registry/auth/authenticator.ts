import { RegistryError } from "../errors";
import { fetchBearerToken, type BearerToken } from "./bearer-token";
import { parseWwwAuthenticate } from "./challenge";
import { basicAuthorization, type CredentialSource, type Credentials } from "./credentials";

/** Refresh a bearer token this long before it expires. */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * Per-registry authorization state: learns the scheme from the first 401 challenge, then attaches
 * `Authorization` to later requests. Bearer tokens are cached per scope set; credentials are
 * looked up once, lazily (anonymous pulls never run a credential helper until a 401 asks).
 */
export class Authenticator {
  private scheme: "none" | "basic" | "bearer" = "none";
  private bearerChallenge: { scheme: string; params: Record<string, string> } | undefined;
  private readonly tokens = new Map<string, BearerToken>();
  /** Token fetches in progress, so concurrent 401s for the same scopes share one. */
  private readonly inflight = new Map<string, Promise<BearerToken>>();
  private creds: Promise<Credentials | undefined> | undefined;

  constructor(
    readonly registry: string,
    private readonly credentials: CredentialSource | undefined,
    private readonly opts: { insecure?: readonly string[] | undefined; timeoutMs?: number | undefined } = {},
  ) {}

  private credentialsFor(): Promise<Credentials | undefined> {
    this.creds ??= this.credentials ? this.credentials(this.registry) : Promise.resolve(undefined);
    return this.creds;
  }

  /** The Authorization header for a request needing `scopes`, if one is known without asking. */
  async authorization(scopes: readonly string[]): Promise<string | undefined> {
    if (this.scheme === "basic") {
      const creds = await this.credentialsFor();
      return creds && "username" in creds ? basicAuthorization(creds) : undefined;
    }
    if (this.scheme === "bearer") {
      const cached = this.tokens.get(scopeKey(scopes));
      if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return `Bearer ${cached.token}`;
      if (this.bearerChallenge) return `Bearer ${(await this.refreshToken(scopes)).token}`;
    }
    return undefined;
  }

  /**
   * Handles a 401's WWW-Authenticate. Returns true when the request should be retried with the
   * new authorization, false when there is nothing new to try.
   */
  async respond(
    header: string | string[] | undefined,
    scopes: readonly string[],
    what: string,
    sent: string | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    // A concurrent request already answered the challenge while this one was in flight.
    const current = await this.authorization(scopes);
    if (current !== undefined && current !== sent) return true;
    const challenges = parseWwwAuthenticate(header);
    const bearer = challenges.find((c) => c.scheme === "bearer");
    if (bearer) {
      const wanted = new Set(scopes);
      // The registry names the scope it wants; merge it in (it may be broader, e.g. a mount's source repo).
      for (const s of (bearer.params.scope ?? "").split(" ")) if (s) wanted.add(s);
      this.bearerChallenge = bearer;
      const key = scopeKey(scopes);
      let pending = this.inflight.get(key);
      if (!pending) {
        pending = this.refreshToken([...wanted], signal, scopes).finally(() => this.inflight.delete(key));
        this.inflight.set(key, pending);
      }
      await pending;
      this.scheme = "bearer";
      return true;
    }
    if (challenges.some((c) => c.scheme === "basic")) {
      const creds = await this.credentialsFor();
      if (!creds || !("username" in creds)) {
        throw new RegistryError(
          "REGISTRY_UNAUTHORIZED",
          `${what}: registry ${this.registry} requires a login (no credentials found; run tsbuild login ${this.registry})`,
          { status: 401 },
        );
      }
      this.scheme = "basic";
      // Retry unless these very credentials were just refused.
      return sent !== basicAuthorization(creds);
    }
    return false;
  }

  private async refreshToken(
    scopes: readonly string[],
    signal?: AbortSignal,
    cacheAs: readonly string[] = scopes,
  ): Promise<BearerToken> {
    const token = await fetchBearerToken(
      // Only called once a Bearer challenge was recorded (see the two callers above).
      this.bearerChallenge as { scheme: string; params: Record<string, string> },
      scopes,
      await this.credentialsFor(),
      {
        registry: this.registry,
        insecure: this.opts.insecure,
        signal,
        timeoutMs: this.opts.timeoutMs,
      },
    );
    this.tokens.set(scopeKey(cacheAs), token);
    this.tokens.set(scopeKey(scopes), token);
    return token;
  }
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(" ");
}

/** `repository:<name>:<actions>` as the token spec spells scopes. */
export function repositoryScope(repository: string, actions: "pull" | "pull,push"): string {
  return `repository:${repository}:${actions}`;
}
