import type { LintRule } from "./rule";
import { allInstructions } from "./walk";

export const legacyKeyValueFormat: LintRule = {
  name: "LegacyKeyValueFormat",
  description: "Legacy key/value format with whitespace separator should not be used",
  check({ instructions }, report) {
    for (const instruction of allInstructions(instructions)) {
      const pairs =
        instruction.kind === "ENV" ? instruction.env : instruction.kind === "LABEL" ? instruction.labels : [];
      if (pairs.some((pair) => pair.legacy)) {
        const keyword = instruction.kind;
        report(
          instruction.span,
          `"${keyword} key=value" should be used instead of legacy "${keyword} key value" format`,
        );
      }
    }
  },
};
