import type { LintRule } from "./rule";

/** `FROM --platform=$TARGETPLATFORM` is what FROM does anyway. */
export const redundantTargetPlatform: LintRule = {
  name: "RedundantTargetPlatform",
  description:
    "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
  check({ stages }, report) {
    for (const { from } of stages) {
      if (from.platform === "$TARGETPLATFORM" || from.platform === "${TARGETPLATFORM}") {
        report(
          from.platformWord?.span ?? from.span,
          `Setting platform to predefined ${from.platform} in FROM is redundant as this is the default behavior`,
        );
      }
    }
  },
};
