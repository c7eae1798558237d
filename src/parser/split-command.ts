import { extractFlags } from "./args/flags";
import type { Located } from "./args/located";
import { isSplitSpace, skipGoSpace, trimEndGoSpace } from "./whitespace";

/**
 * BuildKit's splitCommand over text[from, to): trim, cut the keyword at the first `[\t\v\f\r ]`
 * run, take the leading `--flags`, and trim what remains (the arguments). All offsets.
 */
export interface SplitCommand {
  keyword: Located;
  flags: Located[];
  /** The instruction's trimmed text: [lineStart, lineEnd). */
  lineStart: number;
  lineEnd: number;
  /** The trimmed arguments after keyword and flags: [restStart, restEnd). */
  restStart: number;
  restEnd: number;
}

export function splitCommand(text: string, from: number, to: number): SplitCommand {
  const a = skipGoSpace(text, from, to);
  const b = trimEndGoSpace(text, a, to);
  let k = a;
  while (k < b && !isSplitSpace(text.charCodeAt(k))) k++;
  const keyword = { value: text.slice(a, k), start: a, end: k };
  if (k >= b) return { keyword, flags: [], lineStart: a, lineEnd: b, restStart: b, restEnd: b };
  let argsFrom = k;
  while (argsFrom < b && isSplitSpace(text.charCodeAt(argsFrom))) argsFrom++;
  const { flags, rest } = extractFlags(text, argsFrom, b);
  const restStart = skipGoSpace(text, rest, b);
  return { keyword, flags, lineStart: a, lineEnd: b, restStart, restEnd: trimEndGoSpace(text, restStart, b) };
}
