import type { LintRule } from "./rule";

/** Stage names are matched case-insensitively; writing them lowercase avoids confusion. */
export const stageNameCasing: LintRule = {
  name: "StageNameCasing",
  description: "Stage names should be lowercase",
  check({ stages }, report) {
    for (const { from } of stages) {
      const name = from.stageName;
      if (name !== undefined && from.stageNameWord && name !== name.toLowerCase()) {
        report(from.stageNameWord.span, `Stage name '${name}' should be lowercase`);
      }
    }
  },
};
