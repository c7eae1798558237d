/** COPY/ADD layers built directly: sources → LayerEntry stream. */
export { copyLayerEntries, type CopyInputs } from "./copy-layer";
export { applyChmod } from "./chmod";
export { ExcludeFilter } from "./exclude";
export { downloadUrl, parseChecksum, fileName as downloadFileName, type DownloadedFile } from "./download";
export { resolveViewSources, type ViewSource } from "./view-sources";
export { CopyError, type CopyErrorCode } from "./errors";
