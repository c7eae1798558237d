import { isGoSpace } from "../whitespace";
import type { Located } from "./located";

/**
 * BuildKit's extractBuilderFlags: the leading `--flag[=value]` words of text[from, to).
 * Quotes are removed and a backslash (always `\`, whatever the escape directive says) escapes the
 * next character. A bare `--` ends the flags and is dropped.
 * Returns the flags and the offset where the remaining arguments start (or `to`).
 */
export function extractFlags(text: string, from: number, to: number): { flags: Located[]; rest: number } {
  const flags: Located[] = [];
  let pos = from;
  for (;;) {
    while (pos < to && isGoSpace(text.charCodeAt(pos))) pos++;
    if (pos >= to) return { flags, rest: to };
    if (text.charCodeAt(pos) !== 0x2d || pos + 1 >= to || text.charCodeAt(pos + 1) !== 0x2d)
      return { flags, rest: pos };
    const start = pos;
    let word = "";
    let blankOK = false;
    let quote = 0;
    for (; pos < to; pos++) {
      let c = text.charCodeAt(pos);
      if (quote !== 0) {
        if (c === quote) {
          quote = 0;
          continue;
        }
        if (c === 0x5c /* \ */) {
          if (pos + 1 === to) {
            quote = 0;
            continue;
          }
          pos++;
          c = text.charCodeAt(pos);
        }
        word += String.fromCharCode(c);
        continue;
      }
      if (isGoSpace(c)) break;
      if (c === 0x27 || c === 0x22) {
        quote = c;
        blankOK = true;
        continue;
      }
      if (c === 0x5c) {
        if (pos + 1 === to) continue;
        pos++;
        c = text.charCodeAt(pos);
      }
      word += String.fromCharCode(c);
    }
    if (word === "--") return { flags, rest: pos >= to ? to : pos };
    if (blankOK || word.length > 0) flags.push({ value: word, start, end: Math.min(pos, to) });
    if (pos >= to) return { flags, rest: to };
  }
}
