import { CodePointString, ReversedText } from "./code-points";
import {
  compilePattern,
  MatchBudgetError,
  PatternMatcher,
  PatternSyntaxError,
  reversePatternSource,
  type MatchBudget,
  type Pattern,
} from "./pattern";
import { expandReplacement } from "./replacement-template";

/** Reports a problem with the substitution being applied; never returns. */
export type Fail = (problem: string) => never;

/** What bounds one substitution: the longest result, and the pattern-matching work left. */
export interface Limits {
  /** The longest result: the input's length plus `maxGrowth`. */
  maxLength: number;
  /** How much longer than its input an expanded word may be (ShellOptions.maxLength). */
  maxGrowth: number;
  maxMatchSteps: number;
  /** What is left of maxMatchSteps for this word. */
  budget: MatchBudget;
}

/** The message for a MatchBudgetError, naming the limit. */
export function budgetProblem(maxMatchSteps: number): string {
  return `pattern matching in this word needs more than ${maxMatchSteps} steps (the limit on one expanded word)`;
}

/** The message for a value over `maxLength`, naming the limit. */
export function lengthProblem(limits: Limits): string {
  return `expanded value is more than ${limits.maxGrowth} characters longer than the word as written (the limit on one expanded word)`;
}

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
  limits: Limits,
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
      return metered(fail, limits, () => {
        if (op === "#") {
          const end = new PatternMatcher(compile(source, source, fail), limits.budget).matchPrefix(
            text,
            longest,
          );
          return end < 0 ? text.text : text.slice(end);
        }
        // A suffix match is a prefix match of the reversed pattern on the reversed value.
        const reversed = compile(reversePatternSource(source), source, fail);
        const cut = new PatternMatcher(reversed, limits.budget).matchPrefix(new ReversedText(text), longest);
        return cut < 0 ? text.text : text.slice(0, text.length - cut);
      });
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
  limits: Limits,
): string {
  const matcher = new PatternMatcher(compile(source, source, fail), limits.budget);
  const text = new CodePointString(value);
  return metered(fail, limits, () => {
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
      // Every match may add a whole replacement: stop as soon as the result is too long.
      if (out.length > limits.maxLength) return fail(lengthProblem(limits));
      lastEnd = m.end;
      searchFrom = m.end > searchFrom ? m.end : searchFrom + 1;
    }
    return out + text.slice(lastEnd);
  });
}

/** Runs `match`, turning a spent MatchBudget into `fail`. */
function metered(fail: Fail, limits: Limits, match: () => string): string {
  try {
    return match();
  } catch (err) {
    if (err instanceof MatchBudgetError) return fail(budgetProblem(limits.maxMatchSteps));
    throw err;
  }
}

function compile(source: string, shown: string, fail: Fail): Pattern {
  try {
    return compilePattern(source);
  } catch (err) {
    if (err instanceof PatternSyntaxError) return fail(`invalid pattern "${shown}": ${err.message}`);
    throw err;
  }
}
