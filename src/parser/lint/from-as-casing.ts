import type { LintRule } from "./rule";

const isUpper = (s: string): boolean => s === s.toUpperCase();
const isLower = (s: string): boolean => s === s.toLowerCase();

/** `FROM x as y` / `from x AS y`: the AS keyword should match FROM's casing. */
export const fromAsCasing: LintRule = {
  name: "FromAsCasing",
  description: "The 'as' keyword should match the case of the 'from' keyword",
  check({ stages }, report) {
    for (const { from } of stages) {
      if (from.asWord === undefined) continue;
      const keyword = from.node.keyword;
      const as = from.asWord.value;
      if ((isUpper(keyword) && !isUpper(as)) || (isLower(keyword) && !isLower(as))) {
        report(from.asWord.span, `'${as}' and '${keyword}' keywords' casing do not match`);
      }
    }
  },
};
