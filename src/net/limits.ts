import { parseDuration, parseSize } from "../cache/units";
import { UsageError, errorMessage } from "../errors";

/**
 * How long and how slowly one network transfer may run (an ADD <url> download, a registry
 * request). The rules are curl's and cargo's: `--speed-limit`/`--speed-time` and `--max-time`;
 * `http.low-speed-limit` and `http.timeout`.
 */
export interface NetworkLimits {
  /** No byte for this long — while connecting, waiting for headers or reading the body — fails it. */
  idleTimeoutMs: number;
  /**
   * Bytes per second: averaged over each `idleTimeoutMs` window, a slower transfer fails. This is
   * what stops a server that sends a byte every 2 s (never idle, never done).
   */
  lowSpeedLimit: number;
  /** One request, from sending it to its last byte. */
  maxTimeMs: number;
}

/** NetworkLimits plus how far a download or a layer may expand. */
export interface DownloadLimits extends NetworkLimits {
  /** Bytes; a larger Content-Length is refused before reading, a longer body when it gets there. */
  maxDownloadSize: number;
  /**
   * Bytes of file content one layer (a base image's, unpacked for RUN and COPY) or one ADD
   * archive may expand to: what stops a gzip bomb, however small the blob.
   */
  maxLayerSize: number;
}

/**
 * Defaults: 30 s without a byte (cargo's http.timeout), under 1 KiB/s for 30 s, 1 hour for one
 * request (a 4 GB layer at a slow 1.2 MB/s fits), downloads up to 8 GiB (written to disk as they
 * stream, so memory stays bounded whatever the size), layers and ADD archives expanding to 32 GiB.
 */
export const DEFAULT_NETWORK_LIMITS: Readonly<DownloadLimits> = Object.freeze({
  idleTimeoutMs: 30_000,
  lowSpeedLimit: 1024,
  maxTimeMs: 3_600_000,
  maxDownloadSize: 8 * 1024 ** 3,
  maxLayerSize: 32 * 1024 ** 3,
});

/** Each limit's flag and environment variable, for the CLI and for messages. */
export const NETWORK_LIMIT_SETTINGS = {
  idleTimeoutMs: { flag: "--network-timeout", env: "TSBUILD_NETWORK_TIMEOUT", kind: "duration" },
  lowSpeedLimit: { flag: "--network-low-speed-limit", env: "TSBUILD_NETWORK_LOW_SPEED_LIMIT", kind: "size" },
  maxTimeMs: { flag: "--network-max-time", env: "TSBUILD_NETWORK_MAX_TIME", kind: "duration" },
  maxDownloadSize: { flag: "--max-download-size", env: "TSBUILD_MAX_DOWNLOAD_SIZE", kind: "size" },
  maxLayerSize: { flag: "--max-layer-size", env: "TSBUILD_MAX_LAYER_SIZE", kind: "size" },
} as const;

type Key = keyof DownloadLimits;

/**
 * The limits in force: each given value, else its environment variable, else the default.
 * Durations read like "30s", "2m", "1h30m" or a number of seconds; sizes like "1KB", "8GB" or a
 * number of bytes. Throws UsageError naming the flag or variable.
 */
export function resolveNetworkLimits(
  given: Partial<DownloadLimits> = {},
  env: NodeJS.ProcessEnv = {},
): DownloadLimits {
  const out = { ...DEFAULT_NETWORK_LIMITS };
  // Object.keys is string[] by design; NETWORK_LIMIT_SETTINGS is a Record<Key, …> literal.
  for (const key of Object.keys(NETWORK_LIMIT_SETTINGS) as Key[]) {
    const setting = NETWORK_LIMIT_SETTINGS[key];
    const value = given[key];
    if (value !== undefined) {
      if (!(Number.isFinite(value) && value > 0))
        throw new UsageError(`${setting.flag}: must be a positive number, not ${value}`);
      out[key] = value;
      continue;
    }
    const text = env[setting.env];
    if (text !== undefined && text !== "") out[key] = parseLimit(key, text, setting.env);
  }
  return out;
}

/** Parses one limit as written on the command line or in the environment (`where` names it). */
export function parseLimit(key: Key, text: string, where: string): number {
  const kind = NETWORK_LIMIT_SETTINGS[key].kind;
  let value: number;
  try {
    if (/^\s*\d+(\.\d+)?\s*$/.test(text)) value = Number(text) * (kind === "duration" ? 1000 : 1);
    else value = kind === "duration" ? parseDuration(text) : parseSize(text);
  } catch (err) {
    throw new UsageError(`${where}: ${errorMessage(err)}`);
  }
  if (!(value > 0)) throw new UsageError(`${where}: must be more than zero, not ${JSON.stringify(text)}`);
  return value;
}

/** "30 s", "1500 ms", "1 h" — for messages. */
export function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
