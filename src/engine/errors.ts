import { TsbuildError } from "../errors";

/** A build that could not finish: a step failed, an input was missing, the build was aborted. */
export class BuildError extends TsbuildError {}

export class BuildAbortedError extends BuildError {
  constructor() {
    super("BUILD_ABORTED", "build aborted");
  }
}

/** Where a step's instruction is in its Dockerfile (1-based line and column). */
export interface StepLocation {
  file: string;
  line: number;
  column: number;
}

export interface StepFailure {
  stepId: string;
  stage: number;
  /** The instruction as shown in progress ("RUN make test"). */
  instruction: string;
  location: StepLocation;
  /** What went wrong, without the location prefix. */
  reason: string;
  /** The code of the underlying error ("RUN_FAILED", "ROOTFS_UNKNOWN_USER", ...). */
  reasonCode: string;
  /** The process's exit code, when a RUN command failed. */
  exitCode?: number | undefined;
  /** The last lines of the process's output, when a RUN command failed. */
  outputTail?: readonly string[] | undefined;
}

/**
 * A step failed: the one documented error of `build()` for a failed RUN, COPY, ADD, WORKDIR or
 * USER lookup. The message reads `Dockerfile:12:1: RUN make: <reason>` followed by the last
 * lines of output; the fields carry the same facts for programs.
 */
export class StepFailedError extends BuildError {
  readonly stepId: string;
  readonly stage: number;
  readonly instruction: string;
  readonly location: StepLocation;
  readonly reason: string;
  readonly reasonCode: string;
  readonly exitCode: number | undefined;
  readonly outputTail: readonly string[];

  constructor(failure: StepFailure, options?: { cause?: unknown }) {
    const { file, line, column } = failure.location;
    const tail = (failure.outputTail ?? []).map((l) => `  ${l}`).join("\n");
    super(
      "STEP_FAILED",
      `${file}:${line}:${column}: ${failure.instruction}: ${failure.reason}${tail !== "" ? `\n${tail}` : ""}`,
      options,
    );
    this.stepId = failure.stepId;
    this.stage = failure.stage;
    this.instruction = failure.instruction;
    this.location = failure.location;
    this.reason = failure.reason;
    this.reasonCode = failure.reasonCode;
    this.exitCode = failure.exitCode;
    this.outputTail = failure.outputTail ?? [];
  }
}
