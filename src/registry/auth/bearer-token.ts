import { DEFAULT_NETWORK_LIMITS } from "../../net/limits";
import { RegistryError } from "../errors";
import { allowsPlainHttp } from "../reference";
import { DEFAULT_TIMEOUT_MS, TransportFailure, readBody, sendRequest } from "../transport";
import type { AuthChallenge } from "./challenge";
import { basicAuthorization, describeCredentials, type Credentials } from "./credentials";
import { errorMessage } from "../../errors";
import { isRecord } from "../../guards";

/** A token from a registry's token service, with when to stop using it. */
export interface BearerToken {
  token: string;
  /** ms since the epoch. */
  expiresAt: number;
}

/** Tokens without expires_in are valid 60 s (the Docker token spec's default). */
const DEFAULT_TOKEN_LIFETIME_S = 60;
const TOKEN_RESPONSE_LIMIT = 1024 * 1024;

/**
 * The Docker token flow: GET `realm?service=...&scope=...` (HTTP Basic when we have a
 * user/password), or the OAuth2 refresh_token POST when we hold an identity token. Credentials are
 * only sent over HTTPS, or plain HTTP to a loopback/insecure-listed realm.
 */
export async function fetchBearerToken(
  challenge: AuthChallenge,
  scopes: readonly string[],
  creds: Credentials | undefined,
  opts: {
    registry: string;
    insecure?: readonly string[] | undefined;
    signal?: AbortSignal | undefined;
    timeoutMs?: number | undefined;
  },
): Promise<BearerToken> {
  const realm = challenge.params.realm;
  const what = `get a token for ${opts.registry}`;
  if (!realm) throw new RegistryError("REGISTRY_PROTOCOL", `${what}: the Bearer challenge has no realm`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new RegistryError("REGISTRY_PROTOCOL", `${what}: invalid token realm ${JSON.stringify(realm)}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowsPlainHttp(url.host, opts.insecure))) {
    throw new RegistryError(
      "REGISTRY_INSECURE",
      `${what}: token realm ${url.origin} is neither HTTPS nor a loopback/insecure host`,
    );
  }
  const service = challenge.params.service;
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "tsbuild" };
  let method = "GET";
  let body: Buffer | undefined;
  if (creds && "identityToken" in creds) {
    method = "POST";
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: creds.identityToken,
      client_id: "tsbuild",
    });
    if (service) form.set("service", service);
    if (scopes.length > 0) form.set("scope", scopes.join(" "));
    body = Buffer.from(form.toString());
    headers["content-type"] = "application/x-www-form-urlencoded";
  } else {
    if (service) url.searchParams.set("service", service);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    if (creds) headers.authorization = basicAuthorization(creds);
  }
  let res;
  try {
    res = await sendRequest({
      method,
      url,
      headers,
      body,
      signal: opts.signal,
      limits: { ...DEFAULT_NETWORK_LIMITS, idleTimeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    });
  } catch (err) {
    const code = err instanceof TransportFailure ? err.code : "EIO";
    throw new RegistryError(
      "REGISTRY_UNREACHABLE",
      `${what}: token service ${url.origin} unreachable (${code})`,
      { cause: err },
    );
  }
  let text: string;
  try {
    text = (await readBody(res.body, TOKEN_RESPONSE_LIMIT)).toString("utf8");
  } catch (err) {
    throw new RegistryError(
      "REGISTRY_PROTOCOL",
      `${what}: reading the token response from ${url.origin}: ${errorMessage(err)}`,
    );
  }
  if (res.status === 401 || res.status === 403) {
    throw new RegistryError(
      res.status === 401 ? "REGISTRY_UNAUTHORIZED" : "REGISTRY_DENIED",
      `${what}: token service ${url.origin} refused ${describeCredentials(creds)} (HTTP ${res.status})`,
      { status: res.status },
    );
  }
  if (res.status !== 200) {
    throw new RegistryError(
      "REGISTRY_PROTOCOL",
      `${what}: token service ${url.origin} answered HTTP ${res.status}`,
      { status: res.status },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RegistryError("REGISTRY_PROTOCOL", `${what}: token response from ${url.origin} is not JSON`);
  }
  if (!isRecord(parsed))
    throw new RegistryError(
      "REGISTRY_PROTOCOL",
      `${what}: token response from ${url.origin} is not a JSON object`,
    );
  const token = typeof parsed.token === "string" && parsed.token ? parsed.token : parsed.access_token;
  if (typeof token !== "string" || token === "") {
    throw new RegistryError("REGISTRY_PROTOCOL", `${what}: token response from ${url.origin} has no token`);
  }
  const lifetime =
    typeof parsed.expires_in === "number" && parsed.expires_in > 0
      ? parsed.expires_in
      : DEFAULT_TOKEN_LIFETIME_S;
  return { token, expiresAt: Date.now() + lifetime * 1000 };
}
