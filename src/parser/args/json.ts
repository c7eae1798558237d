import { skipGoSpace } from "../whitespace";
import type { Located } from "./located";

/**
 * The exec (JSON array) form. BuildKit silently falls back to the shell form when the text is not
 * a JSON array; a valid array holding anything but strings is a hard error.
 */
export type JsonArgs =
  { kind: "array"; words: Located[] } | { kind: "not-json" } | { kind: "not-strings"; offset: number };

export function parseJsonArray(text: string, from: number, to: number): JsonArgs {
  const open = skipGoSpace(text, from, to);
  if (text.charCodeAt(open) !== 0x5b /* [ */ || open >= to) return { kind: "not-json" };
  const source = text.slice(open, to);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    // Syntax errors, and RangeError for absurd nesting (Go's decoder has a depth limit too).
    return { kind: "not-json" };
  }
  if (!Array.isArray(parsed)) return { kind: "not-json" };
  const items: unknown[] = parsed;
  if (!items.every((v): v is string => typeof v === "string")) return { kind: "not-strings", offset: open };
  return { kind: "array", words: locateStrings(source, open, items) };
}

/** Finds each top-level string literal of a valid JSON array to give its elements their offsets. */
function locateStrings(source: string, base: number, values: string[]): Located[] {
  const out: Located[] = [];
  let i = 1;
  while (out.length < values.length && i < source.length) {
    if (source.charCodeAt(i) !== 0x22) {
      i++;
      continue;
    }
    const start = i++;
    while (i < source.length && source.charCodeAt(i) !== 0x22) i += source.charCodeAt(i) === 0x5c ? 2 : 1;
    i++;
    out.push({ value: values[out.length], start: base + start, end: base + i });
  }
  return out;
}
