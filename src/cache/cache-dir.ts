import * as os from "node:os";
import * as path from "node:path";

/**
 * Where the cache lives: `--cache-dir`, else `TSBUILD_CACHE_DIR`, else `$XDG_CACHE_HOME/tsbuild`,
 * else `~/.cache/tsbuild`. Empty strings count as unset (a shell `VAR=` should not mean "cwd").
 * The result is absolute.
 */
export function resolveCacheDir(opts: {
  cacheDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}): string {
  const env = opts.env ?? process.env;
  const pick = (v: string | undefined): string | undefined => (v !== undefined && v !== "" ? v : undefined);
  const explicit = pick(opts.cacheDir) ?? pick(env.TSBUILD_CACHE_DIR);
  if (explicit !== undefined) return path.resolve(explicit);
  const xdg = pick(env.XDG_CACHE_HOME);
  // XDG says relative values are invalid and must be ignored.
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, "tsbuild");
  return path.join(opts.homeDir ?? os.homedir(), ".cache", "tsbuild");
}
