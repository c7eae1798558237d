import type { InstructionNode } from "../ast";
import { parseFlags } from "../flags";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { parseKeyValuePairs, type KeyValuePair } from "./key-value";

/** `LABEL key=value ...`: image metadata. */
export interface LabelInstruction extends InstructionBase<"LABEL"> {
  labels: KeyValuePair[];
}

export function parseLabel(ctx: ParseContext, node: InstructionNode): LabelInstruction {
  parseFlags(ctx, "LABEL", node.flags, {});
  return { ...base("LABEL", node), labels: parseKeyValuePairs(ctx, "LABEL", node) };
}
