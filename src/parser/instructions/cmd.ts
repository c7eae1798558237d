import type { InstructionNode } from "../ast";
import { parseFlags } from "../flags";
import { base, commandLine, type CommandLine, type InstructionBase } from "./base";
import type { ParseContext } from "./context";

/** `CMD ["exe", "arg"]` or `CMD command line`: the image's default command. */
export interface CmdInstruction extends InstructionBase<"CMD"> {
  command: CommandLine;
}

export function parseCmd(ctx: ParseContext, node: InstructionNode): CmdInstruction {
  parseFlags(ctx, "CMD", node.flags, {});
  return { ...base("CMD", node), command: commandLine(node) };
}
