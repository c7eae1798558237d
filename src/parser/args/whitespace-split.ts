import { isSplitSpace } from "../whitespace";
import type { Located } from "./located";

/**
 * BuildKit's parseStringsWhitespaceDelimited (FROM, EXPOSE, and the shell form of ADD/COPY/VOLUME):
 * the text split on runs of `[\t\v\f\r ]`. The text is already trimmed.
 */
export function splitWhitespace(text: string, from: number, to: number): Located[] {
  const out: Located[] = [];
  if (from >= to) return out;
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i === to || isSplitSpace(text.charCodeAt(i))) {
      out.push({ value: text.slice(start, i), start, end: i });
      while (i + 1 < to && isSplitSpace(text.charCodeAt(i + 1))) i++;
      start = i + 1;
    }
  }
  return out;
}
