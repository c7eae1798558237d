import type { Platform } from "../image/descriptor";
import { UsageError } from "../errors";

const NODE_ARCH: Record<string, string> = {
  x64: "amd64",
  arm64: "arm64",
  arm: "arm",
  ia32: "386",
  ppc64: "ppc64le",
  s390x: "s390x",
  riscv64: "riscv64",
  loong64: "loong64",
  mips64el: "mips64le",
};

/** The platform tsbuild runs on, in OCI terms. */
export function hostPlatform(): Platform {
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  const platform: Platform = { os: "linux", architecture };
  if (architecture === "arm64") platform.variant = "v8";
  if (architecture === "arm") platform.variant = "v7";
  return platform;
}

/** Parses `os/arch[/variant]` (`linux/amd64`, `linux/arm/v7`); `what` names the flag or line in errors. */
export function parsePlatform(text: string, what = "--platform"): Platform {
  const parts = text.trim().toLowerCase().split("/");
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) {
    throw new UsageError(`${what}: invalid platform "${text}" (expected os/arch[/variant])`);
  }
  const [os, architecture = hostPlatform().architecture, variant] = parts;
  const platform: Platform = { os, architecture: architecture === "x86_64" ? "amd64" : architecture };
  if (variant !== undefined) platform.variant = variant;
  else if (platform.architecture === "arm64") platform.variant = "v8";
  return platform;
}

/** `linux/arm64/v8` form. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== "").join("/");
}

/** The automatic platform ARGs Docker defines for every build (BUILDPLATFORM, TARGETOS, ...). */
export function platformArgs(build: Platform, target: Platform): Record<string, string> {
  return {
    BUILDPLATFORM: formatPlatform(build),
    BUILDOS: build.os,
    BUILDARCH: build.architecture,
    BUILDVARIANT: build.variant ?? "",
    TARGETPLATFORM: formatPlatform(target),
    TARGETOS: target.os,
    TARGETARCH: target.architecture,
    TARGETVARIANT: target.variant ?? "",
  };
}
