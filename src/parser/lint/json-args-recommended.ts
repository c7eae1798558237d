import type { LintRule } from "./rule";

/**
 * CMD/ENTRYPOINT in shell form run under `/bin/sh -c`, which does not forward signals. Like
 * BuildKit, stay quiet when the image has a custom shell: a SHELL earlier in the stage or in the
 * stage it builds on (base images' configs are not known here).
 */
export const jsonArgsRecommended: LintRule = {
  name: "JSONArgsRecommended",
  description:
    "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
  check({ stages }, report) {
    const shellSetByStage = new Map<string, boolean>();
    for (const stage of stages) {
      let shellSet = shellSetByStage.get(stage.baseName.toLowerCase()) ?? false;
      for (const instruction of stage.instructions) {
        if (instruction.kind === "SHELL") shellSet = true;
        if ((instruction.kind === "CMD" || instruction.kind === "ENTRYPOINT") && !shellSet) {
          if (instruction.command.form === "shell") {
            report(
              instruction.span,
              `JSON arguments recommended for ${instruction.kind} to prevent unintended behavior related to OS signals`,
            );
          }
        }
      }
      shellSetByStage.set(String(stage.index), shellSet);
      if (stage.name !== undefined) shellSetByStage.set(stage.name, shellSet);
    }
  },
};
