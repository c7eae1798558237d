import type { LintRule } from "./rule";

/** CMD/ENTRYPOINT in shell form run under `/bin/sh -c`, which does not forward signals. */
export const jsonArgsRecommended: LintRule = {
  name: "JSONArgsRecommended",
  description: "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
  check({ stages }, report) {
    for (const stage of stages) {
      let shellChanged = false;
      for (const instruction of stage.instructions) {
        // A SHELL instruction means the author chose the wrapper deliberately.
        if (instruction.kind === "SHELL") shellChanged = true;
        if ((instruction.kind === "CMD" || instruction.kind === "ENTRYPOINT") && !shellChanged) {
          if (instruction.command.form === "shell") {
            report(
              instruction.span,
              `JSON arguments recommended for ${instruction.kind} to prevent unintended behavior related to OS signals`,
            );
          }
        }
      }
    }
  },
};
