import type { LintRule } from "./rule";
import { allInstructions } from "./walk";

export const exposeProtoCasing: LintRule = {
  name: "ExposeProtoCasing",
  description: "Protocol in EXPOSE instruction should be lowercase",
  check({ instructions }, report) {
    for (const instruction of allInstructions(instructions)) {
      if (instruction.kind !== "EXPOSE") continue;
      for (const port of instruction.ports) {
        const slash = port.value.indexOf("/");
        if (slash >= 0 && port.value.slice(slash) !== port.value.slice(slash).toLowerCase()) {
          report(port.span, `Defined protocol '${port.value}' in EXPOSE instruction should be lowercase`);
        }
      }
    }
  },
};
