import { CodePointString, ReversedText } from "./code-points";
import {
  compilePattern,
  PatternMatcher,
  PatternSyntaxError,
  reversePatternSource,
  type Pattern,
} from "./pattern";
import { expandReplacement } from "./replacement-template";

/** Reports a problem with the substitution being applied; never returns. */
export type Fail = (problem: string) => never;

/**
 * Applies `${name<op>word}` for op `-`, `+`, `?`, `#`, `%` (`colon` is true for the `:` forms,
 * which treat an empty value like an unset one). `value` is undefined when name is unset.
 */
export function applyModifier(
  op: string,
  colon: boolean,
  name: string,
  value: string | undefined,
  word: string,
  fail: Fail,
): string {
  const unsetOrNull = value === undefined || (colon && value === "");
  switch (op) {
    case "-":
      return unsetOrNull ? word : value;
    case "+":
      return unsetOrNull ? "" : word;
    case "?":
      if (value === undefined) return fail(`${name}: ${word || "is not allowed to be unset"}`);
      if (colon && value === "") return fail(`${name}: ${word || "is not allowed to be empty"}`);
      return value;
    case "#":
    case "%": {
      // `##`/`%%` arrive as a word starting with the operator again: longest match.
      const longest = word.startsWith(op);
      const source = longest ? word.slice(1) : word;
      const text = new CodePointString(value ?? "");
      if (op === "#") {
        const end = new PatternMatcher(compile(source, source, fail)).matchPrefix(text, longest);
        return end < 0 ? text.text : text.slice(end);
      }
      // A suffix match is a prefix match of the reversed pattern on the reversed value.
      const reversed = compile(reversePatternSource(source), source, fail);
      const cut = new PatternMatcher(reversed).matchPrefix(new ReversedText(text), longest);
      return cut < 0 ? text.text : text.slice(0, text.length - cut);
    }
    default:
      return fail(`unsupported modifier "${colon ? ":" : ""}${op}"`);
  }
}

/**
 * Applies `${name/pattern/replacement}` (first match) or `${name//pattern/replacement}` (every
 * match, replacement expanded like Go's ReplaceAllString). A pattern is never anchored.
 */
export function applyReplace(
  value: string,
  source: string,
  replacement: string,
  all: boolean,
  fail: Fail,
): string {
  const matcher = new PatternMatcher(compile(source, source, fail));
  const text = new CodePointString(value);
  if (!all) {
    const m = matcher.findMatch(text, 0);
    return m === undefined ? value : text.slice(0, m.start) + replacement + text.slice(m.end);
  }
  // Go's replaceAll loop: no replacement for an empty match right after a match, and always
  // move at least one character on.
  let out = "";
  let lastEnd = 0;
  for (let searchFrom = 0; searchFrom <= text.length;) {
    const m = matcher.findMatch(text, searchFrom);
    if (m === undefined) break;
    out += text.slice(lastEnd, m.start);
    if (m.end > lastEnd || m.start === 0) out += expandReplacement(replacement, text.slice(m.start, m.end));
    lastEnd = m.end;
    searchFrom = m.end > searchFrom ? m.end : searchFrom + 1;
  }
  return out + text.slice(lastEnd);
}

function compile(source: string, shown: string, fail: Fail): Pattern {
  try {
    return compilePattern(source);
  } catch (err) {
    if (err instanceof PatternSyntaxError) return fail(`invalid pattern "${shown}": ${err.message}`);
    throw err;
  }
}
