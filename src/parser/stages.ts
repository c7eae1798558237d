import type { Span } from "./ast";
import type { ArgInstruction, FromInstruction, Instruction } from "./instruction";
import type { ParseContext } from "./instructions/context";

/** One build stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  /** Position among the stages, from 0 (what `COPY --from=0` refers to). */
  index: number;
  from: FromInstruction;
  /** The base image, stage name or `scratch`, unexpanded. */
  baseName: string;
  /** The stage name lowercased, as `--from` and `--target` match it; undefined when unnamed. */
  name?: string;
  platform?: string;
  /** The stage's instructions after its FROM, in order. */
  instructions: Instruction[];
  /** From the FROM to the stage's last instruction. */
  span: Span;
}

export interface StagedInstructions {
  /** ARGs before the first FROM: usable in FROM lines, and in stages that redeclare them. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
}

/** Splits typed instructions into global ARGs and stages; only ARG may precede the first FROM. */
export function groupStages(ctx: ParseContext, instructions: readonly Instruction[]): StagedInstructions {
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.kind === "FROM") {
      const stage: Stage = {
        index: stages.length,
        from: instruction,
        baseName: instruction.baseName,
        instructions: [],
        span: instruction.span,
      };
      if (instruction.stageName !== undefined) stage.name = instruction.stageName.toLowerCase();
      if (instruction.platform !== undefined) stage.platform = instruction.platform;
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (current === undefined) {
      if (instruction.kind === "ARG") {
        metaArgs.push(instruction);
        continue;
      }
      throw ctx.error(
        instruction.node.keywordSpan,
        `${instruction.kind} before the first FROM: only ARG may come before FROM`,
      );
    }
    current.instructions.push(instruction);
    current.span = { start: current.span.start, end: instruction.span.end };
  }
  if (stages.length === 0) {
    const last = instructions[instructions.length - 1];
    const at = last ? last.node.keywordSpan : { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
    throw ctx.error(at, "dockerfile contains no stages to build (no FROM instruction)");
  }
  return { metaArgs, stages };
}
