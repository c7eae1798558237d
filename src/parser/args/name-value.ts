import { goQuote } from "../go-quote";
import { isSplitSpace } from "../whitespace";
import type { Located } from "./located";
import { parseWords } from "./words";

/** A problem found while shaping arguments, with the offset it points at. */
export class ArgumentProblem {
  constructor(
    readonly problem: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

/**
 * BuildKit's parseNameVal (ENV, LABEL): flat key, value, separator triples.
 * `KEY value...` (first word without `=`) is the legacy form: the key is the text up to the first
 * `[\t\v\f\r ]` run and the value the verbatim rest, separator "". Otherwise every word must be
 * `k=v`, split at its first `=`, separator "=".
 */
export function parseNameValue(
  text: string,
  from: number,
  to: number,
  escape: string,
  keyword: string,
): Located[] | ArgumentProblem {
  const words = parseWords(text, from, to, escape);
  if (words.length === 0) return [];
  const out: Located[] = [];
  if (!words[0].value.includes("=")) {
    let sep = from;
    while (sep < to && !isSplitSpace(text.charCodeAt(sep))) sep++;
    let value = sep;
    while (value < to && isSplitSpace(text.charCodeAt(value))) value++;
    if (sep >= to) return new ArgumentProblem(`${keyword} must have two arguments`, from, to);
    out.push({ value: text.slice(from, sep), start: from, end: sep });
    out.push({ value: text.slice(value, to), start: value, end: to });
    out.push({ value: "", start: value, end: value });
    return out;
  }
  for (const word of words) {
    const eq = word.value.indexOf("=");
    if (eq < 0) {
      return new ArgumentProblem(
        `Syntax error - can't find = in ${goQuote(word.value)}. Must be of the form: name=value`,
        word.start,
        word.end,
      );
    }
    // Words keep their quote and escape characters, so the first `=` of the value is also the
    // first `=` of the source text.
    const srcEq = text.indexOf("=", word.start);
    out.push({ value: word.value.slice(0, eq), start: word.start, end: srcEq });
    out.push({ value: word.value.slice(eq + 1), start: srcEq + 1, end: word.end });
    out.push({ value: "=", start: srcEq, end: srcEq + 1 });
  }
  return out;
}
