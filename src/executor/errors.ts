import { TsbuildError } from "../errors";

/**
 * Failure of the RUN executor itself (unsupported host, bad mount, missing user, sandbox setup),
 * as opposed to the command failing, which is a RunFailedError.
 */
export class ExecutorError extends TsbuildError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The step was aborted (AbortSignal); the sandbox and everything in it were killed. */
export class RunAbortedError extends ExecutorError {
  constructor(command: readonly string[]) {
    super("RUN_ABORTED", `abort RUN ${JSON.stringify(command)}: the step was cancelled`);
  }
}

/** The command exited non-zero (or was killed); carries the last lines of its output. */
export class RunFailedError extends ExecutorError {
  readonly command: readonly string[];
  readonly exitCode: number;
  readonly outputTail: readonly string[];

  constructor(command: readonly string[], exitCode: number, outputTail: readonly string[]) {
    const tail = outputTail.length > 0 ? `\n${outputTail.map((l) => `  ${l}`).join("\n")}` : "";
    super("RUN_FAILED", `run ${JSON.stringify(command)}: process exited with code ${exitCode}${tail}`);
    this.command = command;
    this.exitCode = exitCode;
    this.outputTail = outputTail;
  }
}
