/**
 * How an uncompressed layer tar's whiteout entries are treated:
 * - "apply": `.wh.<name>` deletes `<name>` from what is already in the target (lower layers) and
 *   `.wh..wh..opq` empties its directory of lower content, keeping what this layer wrote. Used to
 *   flatten layers into one tree (COPY --from=<image>, --output type=local).
 * - "overlay": whiteouts are materialized the way overlayfs reads them from a lower dir: a 0/0
 *   character device for `.wh.<name>`, the opaque attribute of ../overlay.ts on an opaque directory. The
 *   executor unpacks each layer into its own directory and stacks them. Needs root.
 * - "none": `.wh.*` names are ordinary files (a context tar on stdin: never a layer by itself).
 * - "refuse": a `.wh.*` name anywhere in an entry's path is an error (ADD of a plain archive:
 *   written into a layer, every consumer would read it as a deletion of lower content).
 */
export type WhiteoutMode = "apply" | "overlay" | "none" | "refuse";

/**
 * What to do with character and block device entries (fifos are always created):
 * - "skip" (default): leave them out and report an UnpackWarning, like umoci and containerd do when
 *   they cannot create devices (rootless / user namespace). Image layers rarely carry devices and a
 *   build's RUN steps get their /dev from the executor, not from the layers.
 * - "refuse": fail with UnpackError UNPACK_DEVICE_REFUSED.
 * - "create": mknod them (needs root; the executor's rootfs).
 */
export type DevicePolicy = "skip" | "refuse" | "create";

/** Something left out or done only partly, without failing the apply. */
export interface UnpackWarning {
  code: "DEVICE_SKIPPED" | "XATTR_SKIPPED" | "OWNER_SKIPPED";
  /** The entry's name as written in the tar. */
  entry: string;
  message: string;
}

export interface ApplyOptions {
  /** Default "apply". */
  whiteoutMode?: WhiteoutMode;
  /** Default "skip". */
  devices?: DevicePolicy;
  /** Give entries the tar's uid/gid. Default: true when running as root (chown needs it). */
  sameOwner?: boolean;
  /** Give every entry this owner instead of the tar's (ADD --chown). Implies chown. */
  owner?: { uid: number; gid: number };
  /** Restore `SCHILY.xattr.{user,trusted,security}.*` PAX records, best effort. Default true. */
  xattrs?: boolean;
  /** Called for each UnpackWarning; they are counted in ApplyStats either way. */
  onWarning?: (warning: UnpackWarning) => void;
  /**
   * Bytes of file content one apply may write (a gzip bomb, a size-lying header); an entry that
   * would pass it fails with UNPACK_TOO_LARGE before any of its bytes are written. Default: none.
   */
  maxSize?: number;
  /** Directories whose deferred metadata (owner, mode, times) is set at once at the end. Default 32. */
  concurrency?: number;
}

/** What an apply did, for logs and benchmarks. */
export interface ApplyStats {
  /** Tar entries read (metadata headers such as PAX records not counted). */
  entries: number;
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  /** Fifos and device nodes created. */
  specialFiles: number;
  /** `.wh.<name>` entries (applied or materialized). */
  whiteouts: number;
  /** `.wh..wh..opq` entries (applied or materialized). */
  opaques: number;
  /** Bytes of regular file content written. */
  bytes: number;
  warnings: number;
}

/** Options with every default filled in. */
export interface ResolvedApplyOptions {
  whiteoutMode: WhiteoutMode;
  devices: DevicePolicy;
  /** Owner to give entries: "tar" (header uid/gid), a fixed owner, or null (leave as created). */
  owner: "tar" | { uid: number; gid: number } | null;
  xattrs: boolean;
  onWarning: (warning: UnpackWarning) => void;
  concurrency: number;
  maxSize: number;
}

export function resolveApplyOptions(opts: ApplyOptions = {}): ResolvedApplyOptions {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const sameOwner = opts.sameOwner ?? isRoot;
  return {
    whiteoutMode: opts.whiteoutMode ?? "apply",
    devices: opts.devices ?? "skip",
    owner: opts.owner ?? (sameOwner ? "tar" : null),
    xattrs: opts.xattrs ?? true,
    onWarning: opts.onWarning ?? (() => undefined),
    concurrency: Math.max(1, opts.concurrency ?? 32),
    maxSize: opts.maxSize ?? Number.POSITIVE_INFINITY,
  };
}

export function emptyStats(): ApplyStats {
  return {
    entries: 0,
    files: 0,
    directories: 0,
    symlinks: 0,
    hardlinks: 0,
    specialFiles: 0,
    whiteouts: 0,
    opaques: 0,
    bytes: 0,
    warnings: 0,
  };
}
