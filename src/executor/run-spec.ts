/**
 * The contract of one RUN step: what the executor mounts, who runs what, and what comes back.
 * All host paths are absolute. Targets are paths inside the container ("/run/secrets/x").
 */
import type { Platform } from "../image/descriptor";

/** A host directory or file bind-mounted into the container. */
export interface BindMount {
  type: "bind";
  target: string;
  source: string;
  /**
   * Default true. A read-write bind never changes `source`: writes land in a throw-away overlay
   * (directories) or copy (files), like BuildKit's rw bind mounts of a snapshot.
   */
  readonly?: boolean;
}

/**
 * A persistent cache directory owned by the caller. `shared`: used concurrently as is; `locked`:
 * one step at a time (others wait); `private`: exclusive if free, otherwise a throw-away copy.
 */
export interface CacheMount {
  type: "cache";
  target: string;
  source: string;
  sharing: "shared" | "private" | "locked";
  readonly?: boolean;
}

export interface TmpfsMount {
  type: "tmpfs";
  target: string;
  /** Size limit in bytes; the kernel's default (half of RAM) when absent. */
  sizeBytes?: number;
}

/** A secret file: lives on a host tmpfs, mounted read-only, never written to the upper dir. */
export interface SecretMount {
  type: "secret";
  id: string;
  content: Buffer;
  /** Default /run/secrets/<id>. */
  target?: string;
  /** Default 0o400, owned by uid 0 / gid 0 like BuildKit. */
  mode?: number | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
}

export type RunMount = BindMount | CacheMount | TmpfsMount | SecretMount;

export interface RunSpec {
  /** Read-only layer directories, top-most first (overlayfs lowerdir order). */
  lowerDirs: string[];
  /** Empty directory receiving the step's changes; diff it with `diffUpperDir` afterwards. */
  upperDir: string;
  /** overlayfs work directory, empty, on the same filesystem as upperDir. */
  workDir: string;
  /** argv; shell form is already wrapped (["/bin/sh", "-c", "..."]) by the caller. */
  command: string[];
  /** Exactly the environment of the process, as "K=V". */
  env: string[];
  /** Working directory inside the container; created (owned by the user) if missing. */
  cwd: string;
  /** "name", "uid", "name:group", "uid:gid", ...; default root. */
  user?: string;
  hostname: string;
  /**
   * "none": a new network namespace with only lo up. "default" and "host": the host's network
   * (tsbuild has no CNI bridge; BuildKit's rootless default is the same). `host` must be allowed
   * by the caller (the `network.host` entitlement).
   */
  network: "default" | "none" | "host";
  mounts: RunMount[];
  /**
   * "sandbox" (default): Docker's default profile. "insecure" (`RUN --security=insecure`, the
   * `security.insecure` entitlement): every capability, no seccomp, no masked paths.
   */
  security?: "sandbox" | "insecure" | undefined;
  /** Processes at most in the container; default 4096. 0 = no limit. */
  pidsLimit?: number | undefined;
  /** Resource limits (`--ulimit`), e.g. { type: "RLIMIT_NOFILE", soft: 1024, hard: 2048 }. */
  ulimits?: readonly ProcessLimit[] | undefined;
  /** The platform the command's binaries are for; a foreign one runs through QEMU (./emulation.ts). */
  platform?: Platform | undefined;
  /** "runc" (default when present), "crun", or "auto". */
  runtime?: string | undefined;
  /**
   * "overlay" (overlayfs), "copy" (a copy of the layers, where overlayfs cannot be mounted), or
   * "auto" (default; also `TSBUILD_SNAPSHOTTER`): overlay unless a probe shows it cannot mount.
   */
  snapshotter?: string | undefined;
  /** `--add-host`: lines added to the container's /etc/hosts, after localhost's. */
  extraHosts?: readonly { host: string; ip: string }[] | undefined;
  /** Size of /dev/shm in bytes (`--shm-size`); default 64 MiB, as Docker's. */
  shmSizeBytes?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** A process resource limit as the OCI runtime spec writes it. */
export interface ProcessLimit {
  type: string;
  soft: number;
  hard: number;
}

export interface RunIO {
  /** Live output, chunk by chunk as the process writes it. */
  stdout?: (chunk: Buffer) => void;
  stderr?: (chunk: Buffer) => void;
}

export interface RunResult {
  /** The process's exit code, or 128 + signal number when it was killed by a signal. */
  exitCode: number;
  durationMs: number;
  /** The last lines of stdout and stderr, interleaved as they arrived (bounded). */
  outputTail: string[];
}
