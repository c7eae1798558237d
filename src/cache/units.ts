import { UsageError } from "../errors";

/**
 * Parsers for the cache CLI flags: `--keep-storage 5GB` and `--filter until=24h`. Sizes are read the
 * way `docker builder prune --keep-storage` reads them (go-units RAMInBytes): every suffix is a power
 * of 1024, so "5GB" = "5GiB" = 5 * 1024^3, and a bare number is bytes.
 */
const SIZE_UNITS: Record<string, number> = { "": 1, b: 1 };
for (const [i, letter] of ["k", "m", "g", "t", "p"].entries()) {
  const factor = 1024 ** (i + 1);
  for (const suffix of [letter, `${letter}b`, `${letter}ib`]) SIZE_UNITS[suffix] = factor;
}

/** "5GB" → 5368709120, "500MiB" → 524288000, "1.5g" → 1610612736, "123" → 123 bytes. Throws UsageError. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`parse size: ${JSON.stringify(text)} is not a size like 500MB, 5GB or 1GiB`);
  }
  return Math.floor(Number(m[1]) * unit);
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Go-style durations: "24h" → 86400000, "1h30m", "90s", "500ms", "7d". Returns milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    consumed = re.lastIndex;
  }
  if (trimmed === "" || consumed !== trimmed.length) {
    throw new UsageError(`parse duration: ${JSON.stringify(text)} is not a duration like 24h, 90m or 1h30m`);
  }
  return Math.round(total);
}

/** 1536 → "1.5KB" style, decimal like Docker's `du` output. */
export function formatSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return i === 0 ? `${bytes}B` : `${value.toFixed(value < 10 ? 2 : 1)}${units[i]}`;
}
