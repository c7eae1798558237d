import { goQuote } from "../../parser/go-quote";

/**
 * Go's fmt verbs as BuildKit's history messages use them (convert.go `commitToHistory` callers):
 * `%q` and `%v` of a []string, and a time.Duration's String().
 */

/** `%q` of a []string: `["a" "b"]`. */
export function goQuotedList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(" ")}]`;
}

/** `%v` of a []string: `[a b]`. */
export function goList(list: readonly string[]): string {
  return `[${list.join(" ")}]`;
}

const UNITS: [number, string][] = [
  [1e6, "ms"],
  [1e3, "µs"],
  [1, "ns"],
];

/** A fraction `digits` long, trailing zeros (and a lone point) dropped. */
function frac(rest: number, digits: number): string {
  if (rest === 0) return "";
  return `.${String(rest).padStart(digits, "0").replace(/0+$/, "")}`;
}

/** time.Duration(ns).String(): "0s", "1.5s", "5m0s", "1h0m0s", "250ms". */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  const u = Math.abs(Math.trunc(ns));
  if (u < 1e9) {
    for (const [unit, name] of UNITS) {
      if (u >= unit) {
        const digits = Math.round(Math.log10(unit));
        return `${sign}${Math.floor(u / unit)}${frac(u % unit, digits)}${name}`;
      }
    }
  }
  const secs = Math.floor(u / 1e9);
  let out = `${secs % 60}${frac(u % 1e9, 9)}s`;
  const mins = Math.floor(secs / 60);
  if (mins > 0) {
    out = `${mins % 60}m${out}`;
    const hours = Math.floor(mins / 60);
    if (hours > 0) out = `${hours}h${out}`;
  }
  return sign + out;
}
