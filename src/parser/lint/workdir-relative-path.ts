import type { LintRule } from "./rule";

/** A relative WORKDIR resolves against whatever the base image set, which may change. */
export const workdirRelativePath: LintRule = {
  name: "WorkdirRelativePath",
  description:
    "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
  check({ stages }, report) {
    for (const stage of stages) {
      let absoluteSet = false;
      for (const instruction of stage.instructions) {
        if (instruction.kind !== "WORKDIR") continue;
        const path = instruction.path;
        // Variables may expand to an absolute path: only literal relative paths are flagged.
        if (path.startsWith("/") || path.startsWith("$")) {
          absoluteSet ||= path.startsWith("/");
          continue;
        }
        if (!absoluteSet) {
          report(
            instruction.span,
            `Relative workdir "${path}" can have unexpected results if the base image changes`,
          );
        }
      }
    }
  },
};
