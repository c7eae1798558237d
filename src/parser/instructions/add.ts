import type { InstructionNode } from "../ast";
import { parseFlags } from "../flags";
import { base, type InstructionBase } from "./base";
import type { ParseContext } from "./context";
import { checkChecksum, checkFlag, parseCopyOptions, type CopyOptions } from "./copy-options";

/** `ADD [--checksum] [--keep-git-dir] [--unpack] [COPY's flags but --from] src... dest`. */
export interface AddInstruction extends InstructionBase<"ADD">, CopyOptions {
  /** Expected digest of a remote (URL) source. */
  checksum?: string;
  /** Keep `.git` when adding a Git repository. */
  keepGitDir: boolean;
  /** Whether local archives are extracted; undefined means ADD's default (local archives are). */
  unpack?: boolean;
}

export function parseAdd(ctx: ParseContext, node: InstructionNode): AddInstruction {
  const flags = parseFlags(ctx, "ADD", node.flags, {
    chown: "string",
    chmod: "string",
    link: "bool",
    parents: "bool",
    exclude: "list",
    checksum: "string",
    "keep-git-dir": "bool",
    unpack: "bool",
  });
  const out: AddInstruction = {
    ...base("ADD", node),
    ...parseCopyOptions(ctx, "ADD", node, flags),
    keepGitDir: flags.bool("keep-git-dir"),
  };
  const checksum = checkFlag(ctx, "ADD", flags.get("checksum"), checkChecksum);
  if (checksum !== undefined) out.checksum = checksum;
  if (flags.get("unpack") !== undefined) out.unpack = flags.bool("unpack");
  return out;
}
