import type { InstructionNode } from "../ast";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { singleArgument } from "./single-argument";

/** `USER user[:group]`, unexpanded. */
export interface UserInstruction extends InstructionBase<"USER"> {
  user: string;
}

export function parseUser(ctx: ParseContext, node: InstructionNode): UserInstruction {
  const arg = singleArgument(ctx, "USER", node, "a user name or uid");
  return { ...base("USER", node), user: arg.value };
}
