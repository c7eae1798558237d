/**
 * Base of every error tsbuild throws on purpose. Each stage defines its own subclasses
 * (DockerfileError, BlobStoreError, RegistryError, ...) so callers can tell failures apart with
 * `instanceof` and the CLI can print them without a stack trace.
 *
 * Messages start with a short verb phrase of what failed ("rename temporary blob: ...") and name
 * the file, digest, flag or reference involved.
 */
export class TsbuildError extends Error {
  /** Stable machine-readable code, e.g. "DOCKERFILE_SYNTAX", "BLOB_DIGEST_MISMATCH". */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A command-line usage error: bad flag or flag value. The CLI exits with status 2. */
export class UsageError extends TsbuildError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** The message of a caught value: an Error's message, else its string form. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The errno code of a caught value ("ENOENT", "EXDEV"), or undefined when it has none. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  return typeof err.code === "string" ? err.code : undefined;
}
