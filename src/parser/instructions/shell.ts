import type { InstructionNode } from "../ast";
import { parseFlags } from "../flags";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";

/** `SHELL ["executable", "param"]`: the shell that later shell-form commands run through. */
export interface ShellInstruction extends InstructionBase<"SHELL"> {
  shell: string[];
}

export function parseShell(ctx: ParseContext, node: InstructionNode): ShellInstruction {
  parseFlags(ctx, "SHELL", node.flags, {});
  if (!node.json) {
    const at = node.args[0]?.span ?? node.keywordSpan;
    throw ctx.error(at, 'SHELL requires the arguments to be in JSON form, e.g. SHELL ["/bin/sh", "-c"]');
  }
  if (node.args.length === 0) {
    throw ctx.error(node.keywordSpan, "SHELL requires at least one argument");
  }
  return { ...base("SHELL", node), shell: node.args.map((w) => w.value) };
}
