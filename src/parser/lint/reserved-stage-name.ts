import type { LintRule } from "./rule";

/** Names that already mean something to FROM / COPY --from. */
const RESERVED = new Set(["scratch", "context"]);

export const reservedStageName: LintRule = {
  name: "ReservedStageName",
  description: "Reserved words should not be used as stage names",
  check({ stages }, report) {
    for (const stage of stages) {
      if (stage.name !== undefined && RESERVED.has(stage.name) && stage.from.stageNameWord) {
        report(
          stage.from.stageNameWord.span,
          `Stage name should not use the same name as reserved stage "${stage.name}"`,
        );
      }
    }
  },
};
