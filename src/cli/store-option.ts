import type { Argv, ArgumentsCamelCase } from "yargs";
import { CacheStore, resolveCacheDir } from "../cache";

/** `--cache-dir DIR`, shared by every command that touches the local store. */
export function withCacheDirOption(y: Argv): Argv {
  return y.option("cache-dir", {
    type: "string",
    requiresArg: true,
    describe:
      "cache and image store directory (default $TSBUILD_CACHE_DIR, $XDG_CACHE_HOME/tsbuild, ~/.cache/tsbuild)",
  });
}

/** The `--cache-dir` value, if given. */
export function cacheDirArg(args: ArgumentsCamelCase): string | undefined {
  return typeof args.cacheDir === "string" && args.cacheDir !== "" ? args.cacheDir : undefined;
}

/** Opens the store the command's `--cache-dir` (or the environment) names. */
export function openStore(args: ArgumentsCamelCase): Promise<CacheStore> {
  return CacheStore.open(resolveCacheDir({ cacheDir: cacheDirArg(args) }));
}

/** A flag given any number of times, as an array of strings (yargs gives one value unwrapped). */
export function stringList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}
