import type { InstructionNode } from "../ast";
import { parseFlags } from "../flags";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { parseCopyOptions, type CopyOptions } from "./copy-options";

/** `COPY [--from=stage] [--chown] [--chmod] [--link] [--parents] [--exclude] src... dest`. */
export interface CopyInstruction extends InstructionBase<"COPY">, CopyOptions {
  /** Stage name, stage index or image to copy from instead of the build context. */
  from?: string;
}

export function parseCopy(ctx: ParseContext, node: InstructionNode): CopyInstruction {
  const flags = parseFlags(ctx, "COPY", node.flags, {
    from: "string",
    chown: "string",
    chmod: "string",
    link: "bool",
    parents: "bool",
    exclude: "list",
  });
  const out: CopyInstruction = { ...base("COPY", node), ...parseCopyOptions(ctx, "COPY", node, flags) };
  const from = flags.string("from");
  if (from !== undefined) out.from = from;
  return out;
}
