/**
 * The OCI runtime spec (config.json) of one RUN container, as data: what BuildKit's executor gets
 * from containerd's defaults plus its own changes, which is also Docker's default profile —
 * namespaces, the 14 default capabilities and nothing else, the default seccomp filter, masked and
 * read-only /proc and /sys paths, a read-only /sys, a nosuid/noexec /dev with only the standard
 * device nodes (the devices cgroup denies mknod), a pids limit. The runtime (runc) applies it; no
 * isolation is hand-built here.
 */
import * as fs from "node:fs";
import type { ProcessLimit } from "./run-spec";
import { seccompFor, type OciSeccomp } from "./seccomp";

/** Docker's default capability set (moby oci/caps/defaults.go, containerd's defaultUnixCaps). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

/** Every capability by number (linux/capability.h), for `--security=insecure`. */
const ALL_CAPABILITIES = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

/** containerd's default masked paths (what Docker and BuildKit hide), plus powercap. */
export const MASKED_PATHS: readonly string[] = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
];

export const READONLY_PATHS: readonly string[] = [
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
];

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface ContainerSpecInput {
  /** The bundle's root filesystem (the step's overlay, mounted before the runtime starts). */
  rootfs: string;
  hostname: string;
  args: readonly string[];
  env: readonly string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: readonly number[];
  /** RUN mounts and /etc files, after the system mounts (sorted parents first by the caller). */
  mounts: readonly OciMount[];
  /**
   * The step's overlay when the runtime mounts it on the root itself (first of all mounts, in the
   * container's own mount namespace); `rootfs` is then an empty directory it is mounted on.
   */
  rootMount?: OciMount | undefined;
  /** "isolated": a new network namespace with only lo; "host": the host's. */
  network: "isolated" | "host";
  /** "insecure" (RUN --security=insecure): every capability, no seccomp, no masked paths. */
  security: "sandbox" | "insecure";
  /** Processes at most in the container (pids cgroup); null when cgroups are not ours to use. */
  pidsLimit: number | null;
  rlimits: readonly ProcessLimit[];
  /** Inside a user namespace (rootless): no cgroup mounts, /sys bound from the host when needed. */
  userns: boolean;
  /** Whether gid 5 (tty) is mapped, for devpts's gid=5 (a single-ID user namespace has only 0). */
  ttyGroupMapped: boolean;
  cgroupsPath?: string | undefined;
  seccompProfile?: string | undefined;
  /** Size of /dev/shm in bytes; default 64 MiB (Docker's). */
  shmSizeBytes?: number | undefined;
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<"bounding" | "effective" | "permitted" | "inheritable" | "ambient", string[]>;
    rlimits?: ProcessLimit[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: {
    namespaces: Array<{ type: string }>;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    resources?: {
      devices?: Array<{ allow: boolean; access: string; type?: string; major?: number; minor?: number }>;
      pids?: { limit: number };
    };
    cgroupsPath?: string;
    seccomp?: OciSeccomp;
  };
}

export function containerSpec(input: ContainerSpecInput): OciSpec {
  const insecure = input.security === "insecure";
  const caps = insecure ? availableCapabilities() : [...DEFAULT_CAPABILITIES];
  const namespaces = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }];
  if (input.network === "isolated") namespaces.push({ type: "network" });
  const resources: NonNullable<OciSpec["linux"]["resources"]> = {};
  if (!input.userns) resources.devices = [{ allow: insecure, access: "rwm" }];
  if (input.pidsLimit !== null) resources.pids = { limit: input.pidsLimit };
  const spec: OciSpec = {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: {
        uid: input.uid,
        gid: input.gid,
        ...(input.additionalGids.length > 0 ? { additionalGids: [...input.additionalGids] } : {}),
      },
      args: [...input.args],
      env: [...input.env],
      cwd: input.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      ...(input.rlimits.length > 0 ? { rlimits: [...input.rlimits] } : {}),
      // Docker and BuildKit (oci.WithNewPrivileges) leave setuid binaries working in RUN.
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts: [
      ...(input.rootMount !== undefined ? [input.rootMount] : []),
      ...dedupMounts([...systemMounts(input), ...input.mounts]),
    ],
    linux: {
      namespaces,
      ...(Object.keys(resources).length > 0 ? { resources } : {}),
      ...(input.cgroupsPath !== undefined ? { cgroupsPath: input.cgroupsPath } : {}),
    },
  };
  if (!insecure) {
    spec.linux.maskedPaths = [...MASKED_PATHS];
    spec.linux.readonlyPaths = [...READONLY_PATHS];
    spec.linux.seccomp = seccompFor(caps, input.seccompProfile);
  }
  return spec;
}

function systemMounts(input: ContainerSpecInput): OciMount[] {
  const insecure = input.security === "insecure";
  const mounts: OciMount[] = [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    {
      destination: "/dev",
      type: "tmpfs",
      source: "tmpfs",
      options: ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"],
    },
    {
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: [
        "nosuid",
        "noexec",
        "newinstance",
        "ptmxmode=0666",
        "mode=0620",
        ...(input.ttyGroupMapped ? ["gid=5"] : []),
      ],
    },
    {
      destination: "/dev/shm",
      type: "tmpfs",
      source: "shm",
      options: ["nosuid", "noexec", "nodev", "mode=1777", `size=${shmSizeOption(input.shmSizeBytes)}`],
    },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
  ];
  const sysOptions = ["nosuid", "noexec", "nodev", ...(insecure ? [] : ["ro"])];
  // sysfs can be mounted in a user namespace only with a network namespace of its own.
  if (input.userns && input.network === "host") {
    mounts.push({ destination: "/sys", type: "none", source: "/sys", options: ["rbind", ...sysOptions] });
  } else {
    mounts.push({ destination: "/sys", type: "sysfs", source: "sysfs", options: sysOptions });
  }
  if (!input.userns) {
    mounts.push({
      destination: "/sys/fs/cgroup",
      type: "cgroup",
      source: "cgroup",
      options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
    });
  }
  return mounts;
}

/** tmpfs's size= for /dev/shm: whole KiB (tmpfs rounds to pages anyway), default 64 MiB. */
function shmSizeOption(bytes: number | undefined): string {
  return bytes === undefined ? "65536k" : `${Math.max(1, Math.ceil(bytes / 1024))}k`;
}

/**
 * A later mount of the same destination replaces an earlier one (BuildKit's dedupMounts), so
 * `RUN --mount=type=tmpfs,target=/dev/shm` replaces the default /dev/shm instead of failing.
 */
function dedupMounts(mounts: OciMount[]): OciMount[] {
  const last = new Map<string, number>();
  mounts.forEach((m, i) => last.set(m.destination.replace(/\/+$/, ""), i));
  return mounts.filter((m, i) => last.get(m.destination.replace(/\/+$/, "")) === i);
}

/**
 * Every capability this process may grant: its bounding set (/proc/self/status CapBnd), which
 * is what runc can apply (a host in a container may lack some the kernel knows).
 */
function availableCapabilities(): string[] {
  let bits = (1n << BigInt(ALL_CAPABILITIES.length)) - 1n;
  try {
    const line = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (line?.[1] !== undefined) bits = BigInt(`0x${line[1]}`);
  } catch {
    // no /proc: assume the table
  }
  return ALL_CAPABILITIES.filter((_, i) => (bits >> BigInt(i)) & 1n);
}
