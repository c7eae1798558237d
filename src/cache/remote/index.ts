export { type CacheBackend, type TransferStats, type BlobSource } from "./backend";
export { RegistryBackend, type RegistryBackendOptions } from "./registry-backend";
export { LayoutBackend } from "./layout-backend";
export { ArtifactType, stepTag, mountTag, parseIndex, type Descriptor, type OciIndex } from "./artifacts";
export { lookupStep, exportSteps, type ExportItem, type RemoteRecord } from "./step-cache";
export {
  exportMount,
  restoreMount,
  DEFAULT_MOUNT_MAX_SIZE,
  type MountExport,
  type MountRestore,
  type MountOwner,
} from "./mount-transfer";
