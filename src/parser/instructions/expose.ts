import type { InstructionNode, Word } from "../ast";
import { parseFlags } from "../flags";
import { base, hasVariable, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { checkPortSpec } from "./port";

/** `EXPOSE 80 443/tcp 53/udp 8000-8010`: ports as written (variables allowed, unexpanded). */
export interface ExposeInstruction extends InstructionBase<"EXPOSE"> {
  ports: Word[];
}

export function parseExpose(ctx: ParseContext, node: InstructionNode): ExposeInstruction {
  parseFlags(ctx, "EXPOSE", node.flags, {});
  if (node.args.length === 0) {
    throw ctx.error(node.keywordSpan, "EXPOSE requires at least one port");
  }
  for (const word of node.args) {
    if (hasVariable(word.value)) continue;
    const problem = checkPortSpec(word.value);
    if (problem !== undefined) throw ctx.error(word.span, `EXPOSE: ${problem}`);
  }
  return { ...base("EXPOSE", node), ports: node.args };
}
