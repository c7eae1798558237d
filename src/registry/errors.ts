import { TsbuildError } from "../errors";

/** Codes a {@link RegistryError} carries. */
export type RegistryErrorCode =
  | "REGISTRY_UNREACHABLE" // connection refused/reset/timed out after the retries
  | "REGISTRY_INSECURE" // plain HTTP asked for a host that is not loopback nor --insecure-registry
  | "REGISTRY_UNAUTHORIZED" // 401 after presenting credentials (or none were found)
  | "REGISTRY_DENIED" // 403
  | "REGISTRY_MANIFEST_UNKNOWN" // 404 on a manifest
  | "REGISTRY_BLOB_UNKNOWN" // 404 on a blob
  | "REGISTRY_TOO_MANY_REQUESTS" // 429 after the retries
  | "REGISTRY_SERVER_ERROR" // 5xx after the retries
  | "REGISTRY_PROTOCOL" // an answer the Distribution API does not allow
  | "REGISTRY_BLOB_TRUNCATED" // the body ended before its Content-Length / descriptor size
  | "REGISTRY_DIGEST_MISMATCH" // content does not hash to the digest it was asked for
  | "REGISTRY_MEDIA_TYPE" // a manifest/layer media type tsbuild does not handle
  | "REGISTRY_MANIFEST_TOO_LARGE" // over the manifest size cap
  | "REGISTRY_MANIFEST_INVALID" // not parseable as the media type it claims
  | "REGISTRY_PLATFORM_NOT_FOUND" // an index without the wanted platform
  | "REGISTRY_TIMEOUT"
  | "REGISTRY_ABORTED"
  | "REGISTRY_CREDENTIALS"; // docker config.json / credential helper failures

/**
 * A registry operation failed. Messages start with the verb phrase of the operation and name the
 * image reference and the registry host; they never contain credentials or tokens.
 */
export class RegistryError extends TsbuildError {
  declare readonly code: RegistryErrorCode;
  /** HTTP status, when the failure was an HTTP answer. */
  readonly status: number | undefined;

  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}

/** Codes of an {@link InvalidReferenceError}. */
export type ReferenceErrorCode = "REFERENCE_INVALID";

/** An image reference string that does not parse ("invalid reference format" in Docker). */
export class InvalidReferenceError extends TsbuildError {
  declare readonly code: ReferenceErrorCode;
  constructor(
    message: string,
    /** What is wrong, without the reference ("repository name must be lowercase"). */
    readonly reason: string = message,
  ) {
    super("REFERENCE_INVALID", message);
  }
}
