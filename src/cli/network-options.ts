import type { ArgumentsCamelCase, Options } from "yargs";
import {
  DEFAULT_NETWORK_LIMITS,
  NETWORK_LIMIT_SETTINGS,
  formatMs,
  parseLimit,
  type DownloadLimits,
} from "../net/limits";

type Key = keyof DownloadLimits;
// Object.keys is string[] by design; NETWORK_LIMIT_SETTINGS is a Record<Key, …> literal.
const KEYS = Object.keys(NETWORK_LIMIT_SETTINGS) as Key[];

const DESCRIPTIONS: Record<Key, string> = {
  idleTimeoutMs: `fail a network read with no data for this long (default ${formatMs(DEFAULT_NETWORK_LIMITS.idleTimeoutMs)}; $TSBUILD_NETWORK_TIMEOUT)`,
  lowSpeedLimit: `fail a network read slower than this many bytes/s over that time (default ${DEFAULT_NETWORK_LIMITS.lowSpeedLimit}; $TSBUILD_NETWORK_LOW_SPEED_LIMIT)`,
  maxTimeMs: `fail one network request that takes longer (default ${formatMs(DEFAULT_NETWORK_LIMITS.maxTimeMs)}; $TSBUILD_NETWORK_MAX_TIME)`,
  maxDownloadSize: `largest ADD <url> download (default 8GB; $TSBUILD_MAX_DOWNLOAD_SIZE)`,
  maxLayerSize: `largest a base layer or an ADD archive may expand to (default 32GB; $TSBUILD_MAX_LAYER_SIZE)`,
};

/** The network-limit flags for yargs' `.options()` (see NetworkLimits); `downloads` adds --max-download-size. */
export function networkOptionSpecs(downloads: boolean): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const key of KEYS) {
    if ((key === "maxDownloadSize" || key === "maxLayerSize") && !downloads) continue;
    out[NETWORK_LIMIT_SETTINGS[key].flag.slice(2)] = {
      type: "string",
      requiresArg: true,
      describe: DESCRIPTIONS[key],
    };
  }
  return out;
}

/** The limits given as flags, parsed (unset ones are left to the environment and defaults). */
export function networkArgs(args: ArgumentsCamelCase): Partial<DownloadLimits> {
  const out: Partial<DownloadLimits> = {};
  for (const key of KEYS) {
    const flag = NETWORK_LIMIT_SETTINGS[key].flag;
    const camel = flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    const value = args[camel];
    if (value !== undefined) out[key] = parseLimit(key, String(value), flag);
  }
  return out;
}
