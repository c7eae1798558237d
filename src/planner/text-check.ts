/**
 * Text that can become no path, name, variable or argument: a NUL (the kernel ends every path,
 * argv and environment string at the first one; Node refuses them with ERR_INVALID_ARG_VALUE) or
 * a lone UTF-16 surrogate (a string that is not valid Unicode, so it has no UTF-8 form and would
 * silently become U+FFFD on disk or in a tar header).
 */
const BAD = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TextProblem {
  /** UTF-16 index of the offending character. */
  offset: number;
  problem: string;
}

/** What is wrong with `value`, or undefined when it is usable. */
export function invalidText(value: string): TextProblem | undefined {
  const m = BAD.exec(value);
  if (m === null) return undefined;
  const code = m[0].charCodeAt(0);
  if (code === 0)
    return { offset: m.index, problem: "contains a NUL byte, which no path, name or argument can hold" };
  const hex = code.toString(16).toUpperCase();
  return {
    offset: m.index,
    problem: `contains a lone surrogate (U+${hex}): it is not valid Unicode and has no UTF-8 form`,
  };
}
