import { InvalidReferenceError } from "./errors";

/** Docker Hub's names: what references say, and where its API actually lives. */
export const DOCKER_HUB = "docker.io";
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";
/** The key Docker writes Hub credentials under in config.json. */
export const DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/";

/**
 * A normalized image reference, like Docker's `reference.ParseNormalizedNamed`:
 * `alpine` → registry "docker.io", repository "library/alpine", tag "latest".
 * When a digest is present the tag (if any) is informational; the digest is what is fetched.
 */
export interface Reference {
  /** Host with optional port, e.g. "docker.io", "127.0.0.1:5000", "[::1]:5000". */
  readonly registry: string;
  /** Path on the registry, e.g. "library/alpine". */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

// The grammar of github.com/distribution/reference (regexp.go).
const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})(?::[0-9]+)?`;
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256_RE = /^sha256:[a-f0-9]{64}$/;
const NAME_TOTAL_MAX = 255;

function invalid(input: string, why: string): InvalidReferenceError {
  return new InvalidReferenceError(`parse image reference ${JSON.stringify(input)}: ${why}`, why);
}

/** Splits "name[:tag][@digest]" the way Docker does: the tag colon is after the last "/". */
function splitTagAndDigest(input: string): { name: string; tag?: string; digest?: string } {
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Docker's splitDockerDomain: the first component is a host only if it looks like one. */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  if (slash < 0 || (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first)) {
    return { domain: DOCKER_HUB, path: name };
  }
  return { domain: first, path: name.slice(slash + 1) };
}

/**
 * Parses and normalizes an image reference. Throws InvalidReferenceError (REFERENCE_INVALID)
 * saying what is wrong. Only sha256 digests are accepted. A reference without tag or digest gets
 * the tag "latest" unless `defaultTag: false` (a filter such as `images NAME` means every tag).
 * The one parser of image references: FROM, --from, -t, outputs and the CLI all go through it.
 */
export function parseReference(input: string, options: { defaultTag?: boolean } = {}): Reference {
  if (input === "") throw invalid(input, "empty reference");
  if (/\s/.test(input)) throw invalid(input, "contains whitespace");
  if (/^[a-f0-9]{64}$/.test(input)) {
    throw invalid(input, "a 64-character hexadecimal string is an image ID, not a repository name");
  }
  const { name, tag, digest } = splitTagAndDigest(input);
  if (name === "") throw invalid(input, "missing repository name");
  let { domain, path } = splitDomain(name);
  if (!DOMAIN_RE.test(domain)) throw invalid(input, `invalid registry host ${JSON.stringify(domain)}`);
  if (domain === "index.docker.io") domain = DOCKER_HUB;
  if (path === "") throw invalid(input, "missing repository name after the registry host");
  if (path !== path.toLowerCase()) throw invalid(input, "repository name must be lowercase");
  for (const component of path.split("/")) {
    if (!PATH_COMPONENT_RE.test(component)) {
      throw invalid(input, `invalid repository path component ${JSON.stringify(component)}`);
    }
  }
  if (domain === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;
  if (domain.length + 1 + path.length > NAME_TOTAL_MAX) {
    throw invalid(input, `repository name longer than ${NAME_TOTAL_MAX} characters`);
  }
  if (tag !== undefined && !TAG_RE.test(tag)) throw invalid(input, `invalid tag ${JSON.stringify(tag)}`);
  if (digest !== undefined) {
    if (!DIGEST_RE.test(digest)) throw invalid(input, `invalid digest ${JSON.stringify(digest)}`);
    if (!SHA256_RE.test(digest))
      throw invalid(input, `unsupported digest ${JSON.stringify(digest)} (only sha256:<64 hex>)`);
  }
  return Object.freeze({
    registry: domain,
    repository: path,
    tag: tag ?? (digest === undefined && options.defaultTag !== false ? "latest" : undefined),
    digest,
  });
}

/**
 * A tag as `-t`, `docker tag` and output names take it: a reference without a digest. Throws
 * InvalidReferenceError.
 */
export function parseTag(input: string): Reference {
  const ref = parseReference(input);
  if (ref.digest !== undefined)
    throw invalid(input, "a tag cannot carry a digest (expected [registry/]name[:tag])");
  return ref;
}

/** The reference if `input` is one, else undefined (an image ID prefix, a typo). */
export function tryParseReference(
  input: string,
  options: { defaultTag?: boolean } = {},
): Reference | undefined {
  try {
    return parseReference(input, options);
  } catch (err) {
    if (err instanceof InvalidReferenceError) return undefined;
    throw err;
  }
}

/** Docker's FamiliarName: "docker.io/library/alpine" → "alpine", "docker.io/u/app" → "u/app". */
export function familiarName(ref: Reference): string {
  if (ref.registry !== DOCKER_HUB) return referenceName(ref);
  return ref.repository.startsWith("library/") && ref.repository.split("/").length === 2
    ? ref.repository.slice("library/".length)
    : ref.repository;
}

/**
 * Docker's FamiliarString: the short form people write and `docker images` shows
 * ("alpine:latest", "127.0.0.1:5000/app:1", "app@sha256:…"). It is the local image index's key
 * for a tag, and the RepoTags of a Docker archive.
 */
export function familiarString(ref: Reference): string {
  return `${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/**
 * The local image index key `input` names ("hello" and "docker.io/library/hello" →
 * "hello:latest"), or undefined when it is no reference (an image ID prefix, say).
 */
export function localImageKey(input: string): string | undefined {
  const ref = tryParseReference(input);
  return ref === undefined ? undefined : familiarString(ref);
}

/** "registry/repository" (Docker's Name()). */
export function referenceName(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The full normalized form: "docker.io/library/alpine:latest", "host/x@sha256:...". */
export function formatReference(ref: Reference): string {
  return `${referenceName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** What a manifest request names: the digest when pinned, otherwise the tag. */
export function manifestIdentifier(ref: Reference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

/** A copy of `ref` pinned to `digest` (keeping the tag for display). */
export function withDigest(ref: Reference, digest: string): Reference {
  return Object.freeze({ ...ref, digest });
}

/** Host without port, brackets stripped: "127.0.0.1", "::1", "localhost". */
export function registryHostname(registry: string): string {
  if (registry.startsWith("[")) return registry.slice(1, registry.indexOf("]"));
  const colon = registry.lastIndexOf(":");
  return colon >= 0 ? registry.slice(0, colon) : registry;
}

/**
 * Whether plain HTTP is allowed for `registry`: loopback (localhost, 127.0.0.0/8, ::1) always,
 * anything else only when listed in `insecure` (by host or host:port).
 */
export function allowsPlainHttp(registry: string, insecure: readonly string[] = []): boolean {
  const host = registryHostname(registry).toLowerCase();
  if (host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return insecure.some((h) => h === registry || h === host);
}

/** The host the API is served from (Docker Hub's differs from its reference name). */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}
