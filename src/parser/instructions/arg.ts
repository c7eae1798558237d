import type { InstructionNode, Word } from "../ast";
import { parseFlags } from "../flags";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";

/** One `name[=default]` of an ARG; the default is unexpanded, quotes kept. */
export interface ArgDeclaration {
  name: string;
  defaultValue?: string;
  word: Word;
}

/** `ARG name[=default] ...`: a build argument (before the first FROM: a global one). */
export interface ArgInstruction extends InstructionBase<"ARG"> {
  args: ArgDeclaration[];
}

export function parseArg(ctx: ParseContext, node: InstructionNode): ArgInstruction {
  parseFlags(ctx, "ARG", node.flags, {});
  if (node.args.length === 0) {
    throw ctx.error(node.keywordSpan, "ARG requires at least one name");
  }
  const args = node.args.map((word): ArgDeclaration => {
    const eq = word.value.indexOf("=");
    const name = eq < 0 ? word.value : word.value.slice(0, eq);
    if (name === "") throw ctx.error(word.span, "ARG names can not be blank");
    return eq < 0 ? { name, word } : { name, defaultValue: word.value.slice(eq + 1), word };
  });
  return { ...base("ARG", node), args };
}
