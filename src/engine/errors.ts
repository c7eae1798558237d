import { TsbuildError } from "../errors";

/** A build that could not finish: a step failed, an input was missing, the build was aborted. */
export class BuildError extends TsbuildError {}

export class BuildAbortedError extends BuildError {
  constructor() {
    super("BUILD_ABORTED", "build aborted");
  }
}

/** A step failed; the message names the stage, the step and the reason. */
export class StepFailedError extends BuildError {
  constructor(
    readonly stepId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("STEP_FAILED", message, options);
  }
}
