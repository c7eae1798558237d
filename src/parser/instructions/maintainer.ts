import type { InstructionNode } from "../ast";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { singleArgument } from "./single-argument";

/** `MAINTAINER name` (deprecated: a LABEL is preferred; the linter says so). */
export interface MaintainerInstruction extends InstructionBase<"MAINTAINER"> {
  maintainer: string;
}

export function parseMaintainer(ctx: ParseContext, node: InstructionNode): MaintainerInstruction {
  const arg = singleArgument(ctx, "MAINTAINER", node, "a name");
  return { ...base("MAINTAINER", node), maintainer: arg.value };
}
