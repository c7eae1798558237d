import type { InstructionNode } from "../ast";
import { parseFlags } from "../flags";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { parseKeyValuePairs, type KeyValuePair } from "./key-value";

/** `ENV KEY=value ...` (or legacy `ENV KEY value`). */
export interface EnvInstruction extends InstructionBase<"ENV"> {
  env: KeyValuePair[];
}

export function parseEnv(ctx: ParseContext, node: InstructionNode): EnvInstruction {
  parseFlags(ctx, "ENV", node.flags, {});
  return { ...base("ENV", node), env: parseKeyValuePairs(ctx, "ENV", node) };
}
