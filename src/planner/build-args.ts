import { UsageError } from "../errors";

/**
 * Build arguments given on the command line (`--build-arg K=V`, or `--build-arg K` to take the
 * value from the environment, as `docker build` does; an unset variable is left out).
 */
export function parseBuildArgs(specs: readonly string[], env: NodeJS.ProcessEnv): Map<string, string> {
  const args = new Map<string, string>();
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const name = eq === -1 ? spec : spec.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(`--build-arg: invalid name in "${spec}" (expected NAME=value or NAME)`);
    }
    if (eq !== -1) args.set(name, spec.slice(eq + 1));
    else if (env[name] !== undefined) args.set(name, env[name]);
  }
  return args;
}

/**
 * Args every Dockerfile may use without declaring them. The proxy ones reach RUN as environment
 * but stay out of cache keys and history, as in Docker, so a proxy change does not bust the cache.
 */
export const PROXY_ARGS: ReadonlySet<string> = new Set(
  ["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"].flatMap((n) => [n, n.toLowerCase()]),
);

/** Args with a meaning of their own that count as consumed even when no ARG declares them. */
export const SPECIAL_ARGS: ReadonlySet<string> = new Set([
  ...PROXY_ARGS,
  "SOURCE_DATE_EPOCH",
  "BUILDKIT_INLINE_CACHE",
  "BUILDKIT_SYNTAX",
  "BUILDKIT_SANDBOX_HOSTNAME",
]);
