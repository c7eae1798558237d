import { didYouMean } from "../suggest";
import type { LintRule } from "./rule";
import { PREDEFINED_PLATFORM_ARGS, referencedVariables } from "./variables";

/** FROM may only use global ARGs (declared before the first FROM) and the platform args. */
export const undefinedArgInFrom: LintRule = {
  name: "UndefinedArgInFrom",
  description: "FROM command must use declared ARGs",
  check({ ast, metaArgs, stages }, report) {
    const declared = new Set(metaArgs.flatMap((arg) => arg.args.map((a) => a.name)));
    const known = [...declared, ...PREDEFINED_PLATFORM_ARGS];
    for (const { from } of stages) {
      const words = [from.baseNameWord, ...(from.platformWord ? [from.platformWord] : [])];
      for (const word of words) {
        for (const name of referencedVariables(word.value, ast.escapeToken)) {
          if (declared.has(name) || PREDEFINED_PLATFORM_ARGS.has(name)) continue;
          report(word.span, `FROM argument '${name}' is not declared${didYouMean(name, known)}`);
        }
      }
    }
  },
};
