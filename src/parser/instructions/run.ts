import type { Heredoc, InstructionNode } from "../ast";
import { parseFlags, type FlagValue } from "../flags";
import { base, commandLine, hasVariable, type CommandLine, type InstructionBase } from "./base";
import { subSpan, type ParseContext } from "./context";
import { InvalidFlagValueError, parseMount, type Mount } from "./run-mount";

export type RunNetwork = "default" | "none" | "host";
export type RunSecurity = "insecure" | "sandbox";

/** `RUN [--mount=...] [--network=...] [--security=...] command` (shell, exec or heredoc form). */
export interface RunInstruction extends InstructionBase<"RUN"> {
  command: CommandLine;
  mounts: Mount[];
  /** The `--mount` flags as written, parallel to `mounts` (values still unexpanded). */
  mountFlags: FlagValue[];
  network?: RunNetwork;
  security?: RunSecurity;
  heredocs: Heredoc[];
}

const NETWORKS: readonly string[] = ["default", "none", "host"];
const SECURITY: readonly string[] = ["insecure", "sandbox"];

export function parseRun(ctx: ParseContext, node: InstructionNode): RunInstruction {
  const flags = parseFlags(ctx, "RUN", node.flags, { mount: "list", network: "string", security: "string" });
  if (node.args.length === 0 && node.heredocs.length === 0) {
    throw ctx.error(node.keywordSpan, "RUN requires a command to run");
  }
  const mountFlags = flags.list("mount");
  const mounts = mountFlags.map((flag) => {
    try {
      return parseMount(flag.value);
    } catch (err) {
      if (err instanceof InvalidFlagValueError) {
        throw ctx.error(subSpan(flag.word, flag.valueOffset + err.offset, err.length), err.problem);
      }
      throw err;
    }
  });
  const out: RunInstruction = {
    ...base("RUN", node),
    command: commandLine(node),
    mounts,
    mountFlags,
    heredocs: node.heredocs,
  };
  const network = flags.get("network");
  if (network) {
    // One of NETWORKS, or a value holding a variable, kept as written (not expanded yet).
    out.network = checkChoice(ctx, network, NETWORKS) as RunNetwork;
  }
  const security = flags.get("security");
  if (security) {
    // One of SECURITY, or a value holding a variable, kept as written (not expanded yet).
    out.security = checkChoice(ctx, security, SECURITY) as RunSecurity;
  }
  return out;
}

function checkChoice(ctx: ParseContext, flag: FlagValue, choices: readonly string[]): string {
  if (!choices.includes(flag.value) && !hasVariable(flag.value)) {
    const expected = `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`;
    throw ctx.error(
      subSpan(flag.word, flag.valueOffset, flag.value.length),
      `invalid --${flag.name}=${flag.value} for RUN (expected ${expected})`,
    );
  }
  return flag.value;
}
