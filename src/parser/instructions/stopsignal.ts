import type { InstructionNode } from "../ast";
import { base, hasVariable, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { parseSignal } from "./signal";
import { singleArgument } from "./single-argument";

/** `STOPSIGNAL SIGTERM` (or a number, or a variable): how the container is asked to stop. */
export interface StopsignalInstruction extends InstructionBase<"STOPSIGNAL"> {
  signal: string;
}

export function parseStopsignal(ctx: ParseContext, node: InstructionNode): StopsignalInstruction {
  const arg = singleArgument(ctx, "STOPSIGNAL", node, "a signal name or number");
  if (!hasVariable(arg.value) && parseSignal(arg.value) === undefined) {
    throw ctx.error(
      arg.span,
      `STOPSIGNAL: invalid signal "${arg.value}" (expected a name like SIGTERM or a number)`,
    );
  }
  return { ...base("STOPSIGNAL", node), signal: arg.value };
}
