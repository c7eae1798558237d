import type { InstructionNode, Word } from "../ast";
import { parseFlags } from "../flags";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";

/** `VOLUME /data /logs` or `VOLUME ["/data"]`: mount points, unexpanded. */
export interface VolumeInstruction extends InstructionBase<"VOLUME"> {
  volumes: Word[];
}

export function parseVolume(ctx: ParseContext, node: InstructionNode): VolumeInstruction {
  parseFlags(ctx, "VOLUME", node.flags, {});
  if (node.args.length === 0) {
    throw ctx.error(node.keywordSpan, "VOLUME requires at least one path");
  }
  for (const word of node.args) {
    if (word.value.trim() === "") throw ctx.error(word.span, "VOLUME paths must not be empty");
  }
  return { ...base("VOLUME", node), volumes: node.args };
}
