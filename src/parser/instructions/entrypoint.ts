import type { InstructionNode } from "../ast";
import { parseFlags } from "../flags";
import { base, commandLine, type CommandLine, type InstructionBase } from "./base";
import type { ParseContext } from "./context";

/** `ENTRYPOINT ["exe", "arg"]` or `ENTRYPOINT command line`. */
export interface EntrypointInstruction extends InstructionBase<"ENTRYPOINT"> {
  command: CommandLine;
}

export function parseEntrypoint(ctx: ParseContext, node: InstructionNode): EntrypointInstruction {
  parseFlags(ctx, "ENTRYPOINT", node.flags, {});
  return { ...base("ENTRYPOINT", node), command: commandLine(node) };
}
