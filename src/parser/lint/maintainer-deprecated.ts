import type { LintRule } from "./rule";
import { allInstructions } from "./walk";

export const maintainerDeprecated: LintRule = {
  name: "MaintainerDeprecated",
  description: "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
  check({ instructions }, report) {
    for (const instruction of allInstructions(instructions)) {
      if (instruction.kind === "MAINTAINER") {
        report(
          instruction.node.keywordSpan,
          "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
        );
      }
    }
  },
};
