import type { Platform } from "../image/descriptor";
import { formatPlatform, hostPlatform } from "../image/platform";
import { UsageError } from "../errors";
import { normalizePlatformList, normalizePlatformSpec, PlatformSpecError } from "./platform-spec";

export { formatPlatform, hostPlatform };

/**
 * Parses one `os[/arch[/variant]]` (`linux/amd64`, `arm64`, `linux/arm` → linux/arm/v7),
 * normalised as containerd does; `what` names the flag in the UsageError.
 */
export function parsePlatform(text: string, what = "--platform"): Platform {
  try {
    return normalizePlatformSpec(text);
  } catch (err) {
    if (!(err instanceof PlatformSpecError)) throw err;
    throw new UsageError(`${what}: invalid platform "${text.trim()}": ${err.message}`);
  }
}

/** A comma-separated `--platform` list (or a list of them): normalised, deduplicated, never empty. */
export function parsePlatforms(value: string | readonly string[], what = "--platform"): Platform[] {
  try {
    return normalizePlatformList(value);
  } catch (err) {
    if (!(err instanceof PlatformSpecError)) throw err;
    throw new UsageError(`${what}: ${err.message}`);
  }
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
