/**
 * Go's `time.ParseDuration`, which Dockerfiles use for HEALTHCHECK timings (`1m30s`, `500ms`,
 * `1.5h`). Results are in nanoseconds, as Go's time.Duration and the OCI image config store them.
 */

const UNIT_NANOSECONDS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek small letter mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]+)/;

/** Parses a Go duration into nanoseconds; undefined when the text is not a valid duration. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  while (rest !== "") {
    const match = COMPONENT.exec(rest);
    if (!match) return undefined;
    const [whole, integer, fraction, unit] = match;
    // Go requires at least one digit on one side of the dot.
    if (integer === "" && (fraction === undefined || fraction === "")) return undefined;
    const scale = UNIT_NANOSECONDS[unit];
    if (scale === undefined) return undefined;
    const value = Number(`${integer === "" ? "0" : integer}.${fraction ?? "0"}`);
    total += value * scale;
    rest = rest.slice(whole.length);
  }
  // Go rejects durations beyond int64 nanoseconds (about 292 years).
  if (total > 2 ** 63 - 1) return undefined;
  return sign * Math.round(total);
}

/** Formats nanoseconds the way Go's Duration.String() does: `1m30s`, `500ms`, `0s`. */
export function formatGoDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return "0s";
  const sign = nanoseconds < 0 ? "-" : "";
  const ns = Math.abs(nanoseconds);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${trimNumber(ns / 1e3)}µs`;
  if (ns < 1e9) return `${sign}${trimNumber(ns / 1e6)}ms`;
  const hours = Math.floor(ns / 3600e9);
  const minutes = Math.floor((ns % 3600e9) / 60e9);
  const seconds = (ns % 60e9) / 1e9;
  let out = "";
  if (hours > 0) out += `${hours}h`;
  if (hours > 0 || minutes > 0) out += `${minutes}m`;
  return `${sign}${out}${trimNumber(seconds)}s`;
}

function trimNumber(value: number): string {
  return String(Number(value.toFixed(9)));
}
