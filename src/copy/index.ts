/** COPY/ADD layers built directly: sources → LayerEntry stream; rootfs views; --chown/USER lookup. */
export { copyLayerEntries, type CopyInputs } from "./copy-layer";
export {
  RootfsView,
  type ViewStat,
  type ViewEntryType,
  type ViewWalkEntry,
  type ResolvedViewPath,
} from "./rootfs-view";
export { resolveChown, resolveExecUser, ROOT_OWNER, type Ownership, type ExecUser } from "./ownership";
export { UserDb, parsePasswd, parseGroup, type PasswdEntry, type GroupEntry } from "./user-db";
export { applyChmod } from "./chmod";
export { ExcludeFilter } from "./exclude";
export { downloadUrl, parseChecksum, fileName as downloadFileName, type DownloadedFile } from "./download";
export { resolveViewSources, type ViewSource } from "./view-sources";
export { CopyError, type CopyErrorCode } from "./errors";
