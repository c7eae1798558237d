import type { LintRule } from "./rule";
import { referencedVariables } from "./variables";

/** A hard-coded `FROM --platform=linux/amd64` defeats multi-platform builds. */
export const fromPlatformFlagConstDisallowed: LintRule = {
  name: "FromPlatformFlagConstDisallowed",
  description: "FROM --platform flag should not use a constant value",
  check({ stages }, report) {
    for (const { from } of stages) {
      if (from.platform === undefined || from.platformWord === undefined) continue;
      if (referencedVariables(from.platform).length === 0) {
        report(
          from.platformWord.span,
          `FROM --platform flag should not use constant value "${from.platform}"`,
        );
      }
    }
  },
};
