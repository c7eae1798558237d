import type { InstructionNode, Word } from "../ast";
import { parseFlags } from "../flags";
import type { ParseContext } from "./context";

/** MAINTAINER, USER, WORKDIR, STOPSIGNAL: no flags, the whole rest of the line as one argument. */
export function singleArgument(
  ctx: ParseContext,
  keyword: string,
  node: InstructionNode,
  what: string,
): Word {
  parseFlags(ctx, keyword, node.flags, {});
  const arg = node.args[0];
  if (arg === undefined || arg.value.trim() === "") {
    throw ctx.error(node.keywordSpan, `${keyword} requires ${what}`);
  }
  if (node.args.length > 1) {
    throw ctx.error(node.args[1].span, `${keyword} requires exactly one argument`);
  }
  return arg;
}
