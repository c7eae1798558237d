import { TsbuildError } from "../errors";

/**
 * Failures of the image model and layer serialization. Codes:
 * - INVALID_DIGEST: a string is not "sha256:<64 lowercase hex>"
 * - DIGEST_MISMATCH: content re-hashed to a different digest
 * - INVALID_LAYER_ENTRY: a LayerEntry breaks its contract (bad path, size changed while reading)
 * - WHITEOUT_NAME: an entry that is not a whiteout has a ".wh." name (consumers would delete with it)
 * - UNSUPPORTED_COMPRESSION: the compression is unknown or its codec is not installed
 * - LAYER_WRITE: writing or renaming a layer blob failed
 * - LAYER_MISMATCH: a layer put in another's place has a different diff_id
 */
export class ImageError extends TsbuildError {}

export class InvalidDigestError extends ImageError {
  constructor(message: string) {
    super("INVALID_DIGEST", message);
  }
}

export class DigestMismatchError extends ImageError {
  constructor(message: string) {
    super("DIGEST_MISMATCH", message);
  }
}

export class InvalidLayerEntryError extends ImageError {
  constructor(message: string) {
    super("INVALID_LAYER_ENTRY", message);
  }
}

export class WhiteoutNameError extends ImageError {
  /** The entry's path in the layer. */
  readonly path: string;
  constructor(message: string, path: string) {
    super("WHITEOUT_NAME", message);
    this.path = path;
  }
}

export class UnsupportedCompressionError extends ImageError {
  constructor(message: string) {
    super("UNSUPPORTED_COMPRESSION", message);
  }
}

export class LayerWriteError extends ImageError {
  constructor(message: string, cause?: unknown) {
    super("LAYER_WRITE", message, { cause });
  }
}
