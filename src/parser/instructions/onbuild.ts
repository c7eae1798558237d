import type { InstructionNode } from "../ast";
import { parseFlags } from "../flags";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";

/** `ONBUILD INSTRUCTION ...`: a trigger stored in the image, run by builds that use it as base. */
export interface OnbuildInstruction<Child> extends InstructionBase<"ONBUILD"> {
  /** The trigger, typed and validated now so mistakes surface in this build. */
  trigger: Child;
  /** The trigger's text as stored in the image config's OnBuild list. */
  expression: string;
}

/** Instructions that make no sense as a trigger (BuildKit refuses them too). */
const FORBIDDEN_TRIGGERS = new Set(["ONBUILD", "FROM", "MAINTAINER"]);

export function parseOnbuild<Child>(
  ctx: ParseContext,
  node: InstructionNode,
  parseChild: (child: InstructionNode) => Child,
): OnbuildInstruction<Child> {
  parseFlags(ctx, "ONBUILD", node.flags, {});
  const child = node.child;
  if (child === undefined) {
    throw ctx.error(node.keywordSpan, "ONBUILD requires an instruction to run later");
  }
  const keyword = child.keyword.toUpperCase();
  if (FORBIDDEN_TRIGGERS.has(keyword)) {
    throw ctx.error(child.keywordSpan, `${keyword} isn't allowed as an ONBUILD trigger`);
  }
  return {
    ...base("ONBUILD", node),
    trigger: parseChild(child),
    // As BuildKit stores it: the trigger's line, then each heredoc body and terminator.
    expression:
      node.original.replace(/^\s*ONBUILD\s*/i, "") +
      heredocsOf(node, child)
        .map((h) => `\n${h.content}${h.name}`)
        .join(""),
  };
}

function heredocsOf(node: InstructionNode, child: InstructionNode): InstructionNode["heredocs"] {
  return node.heredocs.length > 0 ? node.heredocs : child.heredocs;
}
