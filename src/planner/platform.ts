import type { Platform } from "../image/descriptor";
import { formatPlatform, hostPlatform } from "../image/platform";

export { formatPlatform, hostPlatform };
import { UsageError } from "../errors";

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
