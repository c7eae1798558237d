import type { Descriptor, Platform } from "../image/descriptor";
import type { OciIndex } from "../image/manifest";
import { formatPlatform, hostPlatform } from "../image/platform";
import { RegistryError } from "./errors";

export { formatPlatform, hostPlatform };

/** "linux/arm64/v8" → {os, architecture, variant}. Throws REGISTRY_PLATFORM_NOT_FOUND on bad syntax. */
export function parsePlatform(spec: string): Platform {
  const parts = spec.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "" || !/^[a-z0-9._-]+$/i.test(p))) {
    throw new RegistryError(
      "REGISTRY_PLATFORM_NOT_FOUND",
      `parse platform ${JSON.stringify(spec)}: expected os/arch[/variant]`,
    );
  }
  const [os = "", architecture = "", variant] = parts;
  return variant
    ? { os: os.toLowerCase(), architecture: architecture.toLowerCase(), variant }
    : { os: os.toLowerCase(), architecture: architecture.toLowerCase() };
}

/** containerd's normalization: arm64's default variant is v8, arm's is v7; amd64 v1 is plain amd64. */
function normalizedVariant(p: Platform): string | undefined {
  if (p.architecture === "arm64") return p.variant ?? "v8";
  if (p.architecture === "arm") return p.variant ?? "v7";
  if (p.architecture === "amd64" && p.variant === "v1") return undefined;
  return p.variant;
}

export function platformMatches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  const w = normalizedVariant(want);
  return w === undefined || w === normalizedVariant(have);
}

/**
 * The index entry for `platform`: first exact match in index order (registries list the preferred
 * entry first). Attestation manifests (platform unknown/unknown) never match.
 */
export function selectManifest(index: OciIndex, platform: Platform, what: string): Descriptor {
  const match = index.manifests.find(
    (d) => d.platform !== undefined && platformMatches(platform, d.platform),
  );
  if (match) return match;
  const available = index.manifests.flatMap((d) =>
    d.platform && d.platform.os !== "unknown" ? [formatPlatform(d.platform)] : [],
  );
  throw new RegistryError(
    "REGISTRY_PLATFORM_NOT_FOUND",
    `${what}: no manifest for platform ${formatPlatform(platform)} (the index has ${available.length > 0 ? available.join(", ") : "no platform entries"})`,
  );
}
