import { isGoSpace } from "../whitespace";
import type { Located } from "./located";

/**
 * BuildKit's parseWords (ARG, and the first pass of ENV/LABEL): split on white space outside
 * quotes. Quote characters stay in the word; outside quotes the escape character and the character
 * after it are both kept; inside `"..."` the escape protects the next character; inside `'...'` it
 * does nothing. An escape at the very end of the text is dropped.
 */
export function parseWords(text: string, from: number, to: number, escape: string): Located[] {
  const esc = escape.charCodeAt(0);
  const out: Located[] = [];
  let inWord = false;
  let quote = 0;
  let blankOK = false;
  let start = from;
  let word = "";
  let pos = from;
  const flush = (end: number): void => {
    if (blankOK || word.length > 0) out.push({ value: word, start, end });
    word = "";
    blankOK = false;
    inWord = false;
  };
  for (; pos < to; pos++) {
    const c = text.charCodeAt(pos);
    if (!inWord) {
      if (isGoSpace(c)) continue;
      inWord = true;
      start = pos;
    }
    if (quote === 0) {
      if (isGoSpace(c)) {
        flush(pos);
        continue;
      }
      if (c === 0x27 || c === 0x22) {
        quote = c;
        blankOK = true;
      }
      if (c === esc) {
        if (pos + 1 === to) continue;
        word += text[pos];
        pos++;
      }
      word += text[pos];
      continue;
    }
    let close = false;
    if (c === quote) close = true;
    if (c === esc && quote !== 0x27) {
      if (pos + 1 === to) {
        quote = 0;
        continue;
      }
      word += text[pos];
      pos++;
    }
    word += text[pos];
    if (close) quote = 0;
  }
  if (inWord) flush(to);
  return out;
}
