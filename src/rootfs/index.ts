/**
 * The root filesystem on disk: the one module that reads and writes layer directories.
 * In: layer tars and archives, layer directories, paths inside a root. Out: unpacked layer
 * directories, merged read-only views, upper-dir diffs as LayerEntry streams, passwd/group
 * lookups. Every path inside a root is resolved by ./resolve.ts; overlayfs's rules live in
 * ./overlay.ts.
 */
export { resolveInRoot, MAX_SYMLINKS, type ResolveTree, type ResolveOptions, type Resolved } from "./resolve";
export { RootResolver, type ResolvedEntry } from "./dir-resolver";
export { cleanEntryPath } from "./entry-path";
export {
  LayerView,
  type ViewStat,
  type ViewEntryType,
  type ViewWalkEntry,
  type ResolvedViewPath,
} from "./layer-view";
export { diffUpperDir } from "./diff";
export {
  contentXattrs,
  isWhiteout,
  isOpaqueDir,
  opaqueXattr,
  overlayXattrPrefix,
  inUserNamespace,
} from "./overlay";
export {
  UserDb,
  parsePasswd,
  parseGroup,
  resolveExecUser,
  resolveChown,
  ROOT_OWNER,
  type ExecUser,
  type Ownership,
  type PasswdEntry,
  type GroupEntry,
} from "./users";
export { UnpackedLayers } from "./unpacked-layers";
export { flattenLayers } from "./flatten";
export { RootfsError, type RootfsErrorCode } from "./errors";
export * from "./unpack";
