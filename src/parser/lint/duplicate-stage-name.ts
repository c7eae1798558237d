import type { LintRule } from "./rule";

export const duplicateStageName: LintRule = {
  name: "DuplicateStageName",
  description: "Stage names should be unique",
  check({ stages }, report) {
    const seen = new Set<string>();
    for (const stage of stages) {
      if (stage.name === undefined || stage.from.stageNameWord === undefined) continue;
      if (seen.has(stage.name)) {
        report(
          stage.from.stageNameWord.span,
          `Duplicate stage name "${stage.name}", stage names should be unique`,
        );
      }
      seen.add(stage.name);
    }
  },
};
