import { type Credentials } from "./auth/credentials";
import { dockerConfigPath, eraseDockerCredentials, storeDockerCredentials } from "./auth/docker-config";
import { RegistryClient, type RegistryClientOptions } from "./http-client";
import { DOCKER_HUB } from "./reference";
import { drain } from "./transport";

export interface LoginOptions {
  insecure?: readonly string[] | undefined;
  /** Default: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
  configFile?: string;
  /** Check the credentials against the registry first (default true). */
  verify?: boolean;
  client?: Pick<RegistryClientOptions, "retry" | "timeoutMs">;
}

/** "index.docker.io", "https://host/v1/" and friends → the registry host references use. */
export function normalizeRegistryHost(server: string | undefined): string {
  if (!server) return DOCKER_HUB;
  const host = server.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return host === "index.docker.io" || host === "registry-1.docker.io" ? DOCKER_HUB : host;
}

/**
 * `tsbuild login`: checks the credentials with an authenticated GET /v2/ (which runs the token
 * flow when the registry uses one), then saves them like `docker login` does (credential helper
 * if configured, else base64 in `auths`). Throws REGISTRY_UNAUTHORIZED on wrong credentials.
 */
export async function login(
  server: string | undefined,
  creds: Credentials,
  opts: LoginOptions = {},
): Promise<void> {
  const registry = normalizeRegistryHost(server);
  const file = opts.configFile ?? dockerConfigPath();
  if (opts.verify ?? true) {
    const client = new RegistryClient(registry, {
      insecure: opts.insecure,
      credentials: async () => creds,
      ...(opts.client ?? {}),
    });
    const res = await client.send({ method: "GET", path: "/v2/", scopes: [], what: `log in to ${registry}` });
    await drain(res.body);
  }
  await storeDockerCredentials(registry, creds, file);
}

/** `tsbuild logout`: forgets the registry's credentials. Returns false if none were stored. */
export async function logout(
  server: string | undefined,
  opts: Pick<LoginOptions, "configFile"> = {},
): Promise<boolean> {
  return eraseDockerCredentials(normalizeRegistryHost(server), opts.configFile ?? dockerConfigPath());
}
