import type { InstructionNode } from "../ast";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { singleArgument } from "./single-argument";

/** `WORKDIR path`, unexpanded; relative paths resolve against the previous WORKDIR. */
export interface WorkdirInstruction extends InstructionBase<"WORKDIR"> {
  path: string;
}

export function parseWorkdir(ctx: ParseContext, node: InstructionNode): WorkdirInstruction {
  const arg = singleArgument(ctx, "WORKDIR", node, "a path");
  return { ...base("WORKDIR", node), path: arg.value };
}
