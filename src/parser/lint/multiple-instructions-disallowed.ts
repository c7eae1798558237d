import type { Instruction } from "../instruction";
import type { LintRule } from "./rule";

/** Only the last CMD / ENTRYPOINT / HEALTHCHECK of a stage takes effect. */
const SINGLETONS: ReadonlySet<Instruction["kind"]> = new Set(["CMD", "ENTRYPOINT", "HEALTHCHECK"]);

export const multipleInstructionsDisallowed: LintRule = {
  name: "MultipleInstructionsDisallowed",
  description: "Multiple instructions of the same type should not be used in the same stage",
  check({ stages }, report) {
    for (const stage of stages) {
      const last = new Map<Instruction["kind"], Instruction>();
      for (const instruction of stage.instructions) {
        if (!SINGLETONS.has(instruction.kind)) continue;
        const earlier = last.get(instruction.kind);
        if (earlier) {
          report(
            earlier.span,
            `Multiple ${instruction.kind} instructions should not be used in the same stage because only the last one will be used`,
          );
        }
        last.set(instruction.kind, instruction);
      }
    }
  },
};
