import { TsbuildError } from "../errors";

/**
 * Failures writing an image to a destination. Codes:
 * - OUTPUT_WRITE: creating/writing/renaming an output file failed
 * - BLOB_SIZE_MISMATCH: a blob streamed a different number of bytes than its descriptor says
 * - INVALID_TAG: a tag/reference for the output is malformed
 */
export class OutputError extends TsbuildError {}

export class OutputWriteError extends OutputError {
  constructor(message: string, cause?: unknown) {
    super("OUTPUT_WRITE", message, { cause });
  }
}

export class BlobSizeMismatchError extends OutputError {
  constructor(message: string) {
    super("BLOB_SIZE_MISMATCH", message);
  }
}

export class InvalidTagError extends OutputError {
  constructor(message: string) {
    super("INVALID_TAG", message);
  }
}
