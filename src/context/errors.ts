import { TsbuildError } from "../errors";

/**
 * A problem with the build context: a COPY/ADD source that is missing, ignored, outside the
 * context or badly formed; an unreadable .dockerignore; a file that cannot be read.
 *
 * `pattern` is the source as written in the Dockerfile (when the error is about one), so the
 * planner can attach the instruction's location without re-parsing the message.
 */
export class ContextError extends TsbuildError {
  readonly pattern: string | undefined;

  constructor(code: ContextErrorCode, message: string, options?: { pattern?: string; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.pattern = options?.pattern;
  }
}

export type ContextErrorCode =
  /** A COPY/ADD source matches nothing visible in the context. */
  | "CONTEXT_SOURCE_NOT_FOUND"
  /** A source climbs above the context root (`../x`) or follows a symlink out of it. */
  | "CONTEXT_SOURCE_OUTSIDE"
  /** A source or .dockerignore pattern is not valid Go filepath.Match syntax. */
  | "CONTEXT_BAD_PATTERN"
  /** The context directory is missing or not a directory. */
  | "CONTEXT_NOT_A_DIRECTORY"
  /** Reading a file of the context or its ignore file failed. */
  | "CONTEXT_READ"
  /** A file name of the context that is not valid UTF-8 (and not excluded). */
  | "CONTEXT_BAD_NAME"
  /** The Dockerfile is a symlink out of the context (and `-f` did not name it). */
  | "CONTEXT_DOCKERFILE_OUTSIDE";
