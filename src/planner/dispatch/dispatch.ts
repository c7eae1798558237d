import type { Instruction } from "../../parser/instruction";
import { dispatchCopy } from "./copy";
import { dispatchArg, dispatchWorkdir } from "./filesystem";
import {
  dispatchCmd,
  dispatchEntrypoint,
  dispatchEnv,
  dispatchExpose,
  dispatchHealthcheck,
  dispatchLabel,
  dispatchMaintainer,
  dispatchShell,
  dispatchStopsignal,
  dispatchUser,
  dispatchVolume,
} from "./metadata";
import { dispatchRun } from "./run";
import type { StageState } from "./stage-state";

/** Per-stage facts a dispatch can set besides the config (MAINTAINER's author). */
export interface StageExtras {
  author?: string;
}

/** One exhaustive switch from typed instruction to its dispatch function. */
export async function dispatchInstruction(
  state: StageState,
  ins: Instruction,
  extras: StageExtras,
): Promise<void> {
  switch (ins.kind) {
    case "FROM":
      throw state.expander.error(ins.baseNameWord, "FROM inside a stage");
    case "RUN":
      return dispatchRun(state, ins);
    case "COPY":
    case "ADD":
      return dispatchCopy(state, ins);
    case "WORKDIR":
      return dispatchWorkdir(state, ins);
    case "ARG":
      return dispatchArg(state, ins);
    case "ENV":
      return dispatchEnv(state, ins);
    case "LABEL":
      return dispatchLabel(state, ins);
    case "MAINTAINER":
      return dispatchMaintainer(state, ins, (author) => {
        extras.author = author;
      });
    case "CMD":
      return dispatchCmd(state, ins);
    case "ENTRYPOINT":
      return dispatchEntrypoint(state, ins);
    case "EXPOSE":
      return dispatchExpose(state, ins);
    case "VOLUME":
      return dispatchVolume(state, ins);
    case "USER":
      return dispatchUser(state, ins);
    case "STOPSIGNAL":
      return dispatchStopsignal(state, ins);
    case "HEALTHCHECK":
      return dispatchHealthcheck(state, ins);
    case "SHELL":
      return dispatchShell(state, ins);
    case "ONBUILD":
      // BuildKit records the trigger in the config only: no history entry.
      return state.configStep(ins, null, (c) => {
        (c.OnBuild ??= []).push(ins.expression);
      });
    default:
      return assertNever(ins);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled instruction ${JSON.stringify(value)}`);
}
