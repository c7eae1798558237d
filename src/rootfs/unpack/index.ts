/**
 * Applying layer tars and ADD archives to directories, never writing outside them.
 * In: an uncompressed layer tar (applyLayer) or any supported archive (applyArchive), a target
 * directory. Out: the tree on disk and ApplyStats; failures are UnpackErrors.
 */
export { applyLayer } from "./apply-layer";
export { applyArchive, isArchive, isTarHeader, sniffArchive } from "./archive";
export type { SniffResult } from "./archive";
export { UnpackError } from "./errors";
export type { UnpackErrorCode } from "./errors";
export type { ApplyOptions, ApplyStats, DevicePolicy, UnpackWarning, WhiteoutMode } from "./options";
