/** Messages between a rootless build() and its engine process in the user namespace. */
import { TsbuildError } from "../errors";
import type { BuildOptions, BuildResult } from "./build-options";
import { BuildAbortedError, StepFailedError, type StepFailure } from "./errors";
import type { BuildEvent } from "./progress";

/** What crosses the channel: the options without the callback and the signal. */
export type WireOptions = Omit<BuildOptions, "signal" | "onEvent">;

export type ParentMessage = { type: "build"; options: WireOptions } | { type: "abort" };

export type WorkerMessage =
  | { type: "event"; event: BuildEvent }
  | { type: "result"; result: BuildResult }
  | { type: "error"; error: WireError };

export interface WireError {
  name: string;
  code: string;
  message: string;
  step?: StepFailure;
}

export function serializeError(err: unknown): WireError {
  if (err instanceof StepFailedError) {
    return {
      name: err.name,
      code: err.code,
      message: err.message,
      step: {
        stepId: err.stepId,
        stage: err.stage,
        instruction: err.instruction,
        location: err.location,
        reason: err.reason,
        reasonCode: err.reasonCode,
        exitCode: err.exitCode,
        outputTail: err.outputTail,
      },
    };
  }
  if (err instanceof TsbuildError) return { name: err.name, code: err.code, message: err.message };
  return {
    name: "Error",
    code: "INTERNAL",
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  };
}

/** An error of the engine in the user namespace, with its original class name and code. */
export class RemoteBuildError extends TsbuildError {
  constructor(wire: WireError) {
    super(wire.code, wire.message);
    this.name = wire.name;
  }
}

export function deserializeError(wire: WireError): Error {
  if (wire.step !== undefined) return new StepFailedError(wire.step);
  if (wire.code === "BUILD_ABORTED") return new BuildAbortedError();
  return new RemoteBuildError(wire);
}
