import type { DockerfileAst, InstructionNode } from "./ast";
import { parseAdd, type AddInstruction } from "./instructions/add";
import { parseArg, type ArgInstruction } from "./instructions/arg";
import { parseCmd, type CmdInstruction } from "./instructions/cmd";
import { ParseContext } from "./instructions/context";
import { parseCopy, type CopyInstruction } from "./instructions/copy";
import { parseEntrypoint, type EntrypointInstruction } from "./instructions/entrypoint";
import { parseEnv, type EnvInstruction } from "./instructions/env";
import { parseExpose, type ExposeInstruction } from "./instructions/expose";
import { parseFrom, type FromInstruction } from "./instructions/from";
import { parseHealthcheck, type HealthcheckInstruction } from "./instructions/healthcheck";
import { KEYWORDS, isKeyword, type Keyword } from "./instructions/keywords";
import { parseLabel, type LabelInstruction } from "./instructions/label";
import { parseMaintainer, type MaintainerInstruction } from "./instructions/maintainer";
import { parseOnbuild, type OnbuildInstruction } from "./instructions/onbuild";
import { parseRun, type RunInstruction } from "./instructions/run";
import { parseShell, type ShellInstruction } from "./instructions/shell";
import { parseStopsignal, type StopsignalInstruction } from "./instructions/stopsignal";
import { parseUser, type UserInstruction } from "./instructions/user";
import { parseVolume, type VolumeInstruction } from "./instructions/volume";
import { parseWorkdir, type WorkdirInstruction } from "./instructions/workdir";
import { didYouMean } from "./suggest";

/**
 * The typed instruction model, like BuildKit's `instructions` package: one variant per keyword,
 * tagged by `kind`, each keeping its raw node (and span) and its arguments unexpanded — variable
 * expansion happens in the planner, which knows the build arguments and environment.
 */
export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | LabelInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | EnvInstruction
  | AddInstruction
  | CopyInstruction
  | EntrypointInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | ArgInstruction
  | OnbuildInstruction<Instruction>
  | StopsignalInstruction
  | HealthcheckInstruction
  | ShellInstruction;

export type OnbuildTrigger = OnbuildInstruction<Instruction>;

/** Types and validates one raw instruction; throws DockerfileError pointing at the bad word. */
export function parseInstruction(node: InstructionNode, ctx: ParseContext): Instruction {
  const keyword = node.keyword.toUpperCase();
  if (!isKeyword(keyword)) {
    throw ctx.error(node.keywordSpan, `unknown instruction: ${node.keyword}${didYouMean(keyword, KEYWORDS)}`);
  }
  return dispatch(keyword, node, ctx);
}

function dispatch(keyword: Keyword, node: InstructionNode, ctx: ParseContext): Instruction {
  switch (keyword) {
    case "FROM":
      return parseFrom(ctx, node);
    case "RUN":
      return parseRun(ctx, node);
    case "CMD":
      return parseCmd(ctx, node);
    case "LABEL":
      return parseLabel(ctx, node);
    case "MAINTAINER":
      return parseMaintainer(ctx, node);
    case "EXPOSE":
      return parseExpose(ctx, node);
    case "ENV":
      return parseEnv(ctx, node);
    case "ADD":
      return parseAdd(ctx, node);
    case "COPY":
      return parseCopy(ctx, node);
    case "ENTRYPOINT":
      return parseEntrypoint(ctx, node);
    case "VOLUME":
      return parseVolume(ctx, node);
    case "USER":
      return parseUser(ctx, node);
    case "WORKDIR":
      return parseWorkdir(ctx, node);
    case "ARG":
      return parseArg(ctx, node);
    case "ONBUILD":
      return parseOnbuild(ctx, node, (child) => parseInstruction(child, ctx));
    case "STOPSIGNAL":
      return parseStopsignal(ctx, node);
    case "HEALTHCHECK":
      return parseHealthcheck(ctx, node);
    case "SHELL":
      return parseShell(ctx, node);
    default:
      return assertNever(keyword);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled instruction keyword ${String(value)}`);
}

/** Types every instruction of a parsed Dockerfile, in order. */
export function parseInstructions(ast: DockerfileAst): Instruction[] {
  const ctx = new ParseContext(ast.file, ast.lines);
  return ast.instructions.map((node) => parseInstruction(node, ctx));
}

export type {
  AddInstruction,
  ArgInstruction,
  CmdInstruction,
  CopyInstruction,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  FromInstruction,
  HealthcheckInstruction,
  LabelInstruction,
  MaintainerInstruction,
  OnbuildInstruction,
  RunInstruction,
  ShellInstruction,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
};
