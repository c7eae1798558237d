import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../../cache/atomic-file";
import { sweepDestination } from "../../cache/temp-files";
import { RegistryError } from "../errors";
import { DOCKER_HUB, DOCKER_HUB_CONFIG_KEY } from "../reference";
import type { Credentials } from "./credentials";
import { helperErase, helperGet, helperStore } from "./credential-helper";
import { errnoCode, errorMessage } from "../../errors";

/** The parts of ~/.docker/config.json tsbuild reads and writes; other keys are preserved. */
export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [key: string]: unknown;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || path.join(os.homedir(), ".docker");
  return path.join(dir, "config.json");
}

/** The key credentials for `registry` are stored under ("https://index.docker.io/v1/" for Hub). */
export function configKey(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : registry;
}

/** "https://host:5000/v1/" → "host:5000": Docker accepts auths keys written as URLs. */
function normalizeKey(key: string): string {
  const stripped = key.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return stripped === "index.docker.io" || stripped === "registry-1.docker.io" ? DOCKER_HUB : stripped;
}

export async function readDockerConfig(file: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return {};
    throw new RegistryError("REGISTRY_CREDENTIALS", `read docker config ${file}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error("not a JSON object");
    // An object: the fields tsbuild reads are checked where they are read; others are kept as is.
    return parsed as DockerConfigFile;
  } catch (err) {
    throw new RegistryError("REGISTRY_CREDENTIALS", `parse docker config ${file}: ${errorMessage(err)}`);
  }
}

async function writeDockerConfig(file: string, config: DockerConfigFile): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await sweepDestination(file);
  try {
    // 0600: the file holds base64 passwords.
    await writeFileAtomic(file, JSON.stringify(config, null, "\t") + "\n", { mode: 0o600 });
  } catch (err) {
    throw new RegistryError("REGISTRY_CREDENTIALS", `write docker config ${file}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function decodeAuth(
  file: string,
  key: string,
  entry: NonNullable<DockerConfigFile["auths"]>[string],
): Credentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0)
      throw new RegistryError(
        "REGISTRY_CREDENTIALS",
        `read credentials for ${key} in ${file}: "auth" is not base64 of user:password`,
      );
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined)
    return { username: entry.username, password: entry.password };
  return undefined;
}

/** The helper config.json assigns to `registry`, if any (credHelpers wins over credsStore). */
function helperFor(config: DockerConfigFile, registry: string): string | undefined {
  return config.credHelpers?.[registry] ?? config.credHelpers?.[configKey(registry)] ?? config.credsStore;
}

/**
 * Credentials for `registry` the way Docker resolves them: a credHelpers entry, else a matching
 * `auths` entry, else the credsStore helper.
 */
export async function lookupDockerCredentials(
  registry: string,
  file = dockerConfigPath(),
): Promise<Credentials | undefined> {
  const config = await readDockerConfig(file);
  const specific = config.credHelpers?.[registry] ?? config.credHelpers?.[configKey(registry)];
  if (specific) return helperGet(specific, configKey(registry));
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (normalizeKey(key) === registry) {
      const creds = decodeAuth(file, key, entry);
      if (creds) return creds;
    }
  }
  if (config.credsStore) return helperGet(config.credsStore, configKey(registry));
  return undefined;
}

/** A CredentialSource reading the docker config file. */
export function dockerConfigCredentials(
  file = dockerConfigPath(),
): (registry: string) => Promise<Credentials | undefined> {
  return (registry) => lookupDockerCredentials(registry, file);
}

/** Saves credentials where Docker would: the registry's helper if configured, else `auths` (base64). */
export async function storeDockerCredentials(
  registry: string,
  creds: Credentials,
  file = dockerConfigPath(),
): Promise<void> {
  const config = await readDockerConfig(file);
  const key = configKey(registry);
  const helper = helperFor(config, registry);
  if (helper) {
    await helperStore(helper, key, creds);
    // Docker leaves an empty auths entry so `docker info`-style listings show the login.
    config.auths = { ...(config.auths ?? {}), [key]: {} };
  } else {
    const entry =
      "username" in creds
        ? { auth: Buffer.from(`${creds.username}:${creds.password}`, "utf8").toString("base64") }
        : { identitytoken: creds.identityToken };
    config.auths = { ...(config.auths ?? {}), [key]: entry };
  }
  await writeDockerConfig(file, config);
}

/** Forgets credentials for `registry`. Returns false if there were none in the file. */
export async function eraseDockerCredentials(registry: string, file = dockerConfigPath()): Promise<boolean> {
  const config = await readDockerConfig(file);
  const key = configKey(registry);
  const helper = helperFor(config, registry);
  if (helper) await helperErase(helper, key);
  const matching = Object.keys(config.auths ?? {}).filter((k) => normalizeKey(k) === registry);
  if (matching.length === 0) return helper !== undefined;
  for (const k of matching) delete config.auths?.[k];
  await writeDockerConfig(file, config);
  return true;
}
