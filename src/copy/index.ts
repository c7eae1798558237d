/** COPY/ADD layers built directly: a CopySpec and its source trees → LayerEntry stream. */
export { copyLayerEntries, type CopyInputs } from "./copy-layer";
export type { CopySpec, CopySpecSource } from "./copy-spec";
export { applyChmod } from "./chmod";
export { downloadUrl, parseChecksum, fileName as downloadFileName, type DownloadedFile } from "./download";
export { resolveViewSources, type ViewSource } from "./view-sources";
export { CopyError, type CopyErrorCode } from "./errors";
