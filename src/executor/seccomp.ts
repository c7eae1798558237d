/**
 * Docker's default seccomp profile as the OCI runtime spec's `linux.seccomp`. The profile is read
 * at run time from the file Debian's golang-github-containers-common installs (the one podman and
 * Buildah apply), never copied into tsbuild, and filtered the way moby's profiles/seccomp does:
 * a rule applies when its `includes` hold (every listed capability granted, the architecture
 * listed, the kernel new enough) and its `excludes` do not (no listed capability granted, the
 * architecture not listed).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { ExecutorError } from "./errors";
import { errorMessage } from "../errors";

export const DEFAULT_SECCOMP_PROFILE = "/usr/share/containers/seccomp.json";

interface ProfileArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

interface ProfileRule {
  name?: string;
  names?: string[];
  action: string;
  args?: ProfileArg[] | null;
  errnoRet?: number;
  includes?: { caps?: string[]; arches?: string[]; minKernel?: string };
  excludes?: { caps?: string[]; arches?: string[]; minKernel?: string };
}

interface Profile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: Array<{ architecture: string; subArchitectures?: string[] }>;
  syscalls?: ProfileRule[];
}

/** `linux.seccomp` of the OCI runtime spec. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: ProfileArg[] }>;
}

/** Node's process.arch → Go's GOARCH (the names seccomp profiles use) and libseccomp's arch. */
const ARCHES: Record<string, { goarch: string; scmp: string }> = {
  x64: { goarch: "amd64", scmp: "SCMP_ARCH_X86_64" },
  arm64: { goarch: "arm64", scmp: "SCMP_ARCH_AARCH64" },
  arm: { goarch: "arm", scmp: "SCMP_ARCH_ARM" },
  ia32: { goarch: "386", scmp: "SCMP_ARCH_X86" },
  ppc64: { goarch: "ppc64le", scmp: "SCMP_ARCH_PPC64LE" },
  s390x: { goarch: "s390x", scmp: "SCMP_ARCH_S390X" },
  riscv64: { goarch: "riscv64", scmp: "SCMP_ARCH_RISCV64" },
};

const cache = new Map<string, OciSeccomp>();

/**
 * The filter for a container granted `caps`, on this machine's architecture and kernel. Cached
 * per (file, caps): every RUN step of a build uses the same one.
 */
export function seccompFor(caps: readonly string[], file = DEFAULT_SECCOMP_PROFILE): OciSeccomp {
  const key = `${file}\0${[...caps].sort().join(",")}`;
  let filter = cache.get(key);
  if (filter === undefined) {
    filter = convertProfile(readProfile(file), caps, process.arch, os.release());
    cache.set(key, filter);
  }
  return filter;
}

function readProfile(file: string): Profile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ExecutorError(
      "EXECUTOR_SECCOMP_PROFILE",
      `read seccomp profile ${file}: ${errorMessage(err)} (install Debian's golang-github-containers-common)`,
      { cause: err },
    );
  }
  try {
    // The profile is Docker's own file; defaultAction is checked, the rest is passed to runc as is.
    const parsed = JSON.parse(text) as Profile;
    if (typeof parsed.defaultAction !== "string") throw new Error("no defaultAction");
    return parsed;
  } catch (err) {
    throw new ExecutorError(
      "EXECUTOR_SECCOMP_PROFILE",
      `parse seccomp profile ${file}: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
}

const S_IFMT = 0o170000;
const DEVICE_TYPES = [0o020000, 0o060000]; // S_IFCHR, S_IFBLK
const OTHER_TYPES = [0, 0o010000, 0o100000, 0o140000]; // regular (0 or S_IFREG), S_IFIFO, S_IFSOCK

/**
 * The profile allows mknod outright and runc's default devices cgroup rules allow "c *:* m" and
 * "b *:* m", so a RUN step could create device nodes (unusable, but they end up in the layer).
 * tsbuild refuses them: mknod/mknodat of a character or block device fail with EPERM; fifos,
 * sockets and regular files are still made. (`--security=insecure` has no filter at all.)
 */
function refuseDeviceNodes(syscalls: OciSeccomp["syscalls"]): OciSeccomp["syscalls"] {
  const calls: Array<[string, number]> = [
    ["mknod", 1],
    ["mknodat", 2],
  ];
  const out: OciSeccomp["syscalls"] = [];
  for (const rule of syscalls) {
    if (rule.action === "SCMP_ACT_ALLOW" && rule.args === undefined) {
      const names = rule.names.filter((n) => !calls.some(([c]) => c === n));
      if (names.length > 0) out.push({ ...rule, names });
    } else {
      out.push(rule);
    }
  }
  for (const [name, index] of calls) {
    for (const type of DEVICE_TYPES) {
      out.push({
        names: [name],
        action: "SCMP_ACT_ERRNO",
        errnoRet: 1,
        args: [{ index, value: S_IFMT, valueTwo: type, op: "SCMP_CMP_MASKED_EQ" }],
      });
    }
    for (const type of OTHER_TYPES) {
      out.push({
        names: [name],
        action: "SCMP_ACT_ALLOW",
        args: [{ index, value: S_IFMT, valueTwo: type, op: "SCMP_CMP_MASKED_EQ" }],
      });
    }
  }
  return out;
}

/** The profile's rules that apply to `caps` on `nodeArch` with kernel `release`. */
export function convertProfile(
  profile: Profile,
  caps: readonly string[],
  nodeArch: string,
  release: string,
): OciSeccomp {
  const arch = ARCHES[nodeArch];
  if (arch === undefined) {
    throw new ExecutorError(
      "EXECUTOR_SECCOMP_PROFILE",
      `apply seccomp profile: architecture ${nodeArch} is not known`,
    );
  }
  const granted = new Set(caps);
  const kernel = kernelVersion(release);
  const architectures = [arch.scmp];
  for (const m of profile.archMap ?? []) {
    if (m.architecture === arch.scmp) architectures.push(...(m.subArchitectures ?? []));
  }
  const syscalls: OciSeccomp["syscalls"] = [];
  for (const rule of profile.syscalls ?? []) {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (inc.arches !== undefined && inc.arches.length > 0 && !inc.arches.includes(arch.goarch)) continue;
    if (exc.arches?.includes(arch.goarch) === true) continue;
    if (inc.caps !== undefined && !inc.caps.every((c) => granted.has(c))) continue;
    if (exc.caps?.some((c) => granted.has(c)) === true) continue;
    if (inc.minKernel !== undefined && compareVersions(kernel, kernelVersion(inc.minKernel)) < 0) continue;
    const names = rule.names ?? (rule.name !== undefined ? [rule.name] : []);
    if (names.length === 0) continue;
    syscalls.push({
      names,
      action: rule.action,
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
      ...(rule.args && rule.args.length > 0 ? { args: rule.args } : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures,
    syscalls: refuseDeviceNodes(syscalls),
  };
}

function kernelVersion(release: string): number[] {
  return (/^(\d+)\.(\d+)/.exec(release) ?? ["", "0", "0"]).slice(1).map(Number);
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
