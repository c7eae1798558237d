import type { LintRule } from "./rule";
import { allInstructions } from "./walk";

/** `EXPOSE 127.0.0.1:80:80`: images cannot publish ports; only the container port is kept. */
export const exposeInvalidFormat: LintRule = {
  name: "ExposeInvalidFormat",
  description: "IP address and host-port mapping should not be used in EXPOSE instruction",
  check({ instructions }, report) {
    for (const instruction of allInstructions(instructions)) {
      if (instruction.kind !== "EXPOSE") continue;
      for (const port of instruction.ports) {
        if (port.value.includes(":")) {
          report(
            port.span,
            `EXPOSE instruction should not define an IP address or host-port mapping, found '${port.value}'`,
          );
        }
      }
    }
  },
};
