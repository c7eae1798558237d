import type { Instruction } from "../instruction";

/** Every instruction, ONBUILD triggers included (each after its ONBUILD). */
export function* allInstructions(instructions: readonly Instruction[]): Generator<Instruction> {
  for (const instruction of instructions) {
    yield instruction;
    if (instruction.kind === "ONBUILD") yield* allInstructions([instruction.trigger]);
  }
}
