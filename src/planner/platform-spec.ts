import type { Platform } from "../image/descriptor";
import { formatPlatform, hostPlatform } from "../image/platform";

/**
 * Platform specifiers as containerd's `platforms` package parses and normalises them (what
 * buildx and BuildKit use): `arm64` → linux/arm64, `aarch64` → arm64, `x86_64` → amd64,
 * `linux/arm` → linux/arm/v7, `armhf` → arm/v7, `linux/arm64/v8` → linux/arm64, `amd64/v1` →
 * amd64. Unknown operating systems and architectures are refused (Go's GOOS/GOARCH lists).
 */

/** Go's known GOOS values (containerd's platforms/database.go). */
const KNOWN_OS = new Set([
  "aix",
  "android",
  "darwin",
  "dragonfly",
  "freebsd",
  "hurd",
  "illumos",
  "ios",
  "js",
  "linux",
  "nacl",
  "netbsd",
  "openbsd",
  "plan9",
  "solaris",
  "wasip1",
  "windows",
  "zos",
]);

/** Go's known GOARCH values. */
const KNOWN_ARCH = new Set([
  "386",
  "amd64",
  "amd64p32",
  "arm",
  "armbe",
  "arm64",
  "arm64be",
  "ppc64",
  "ppc64le",
  "loong64",
  "mips",
  "mipsle",
  "mips64",
  "mips64le",
  "mips64p32",
  "mips64p32le",
  "ppc",
  "riscv",
  "riscv64",
  "s390",
  "s390x",
  "sparc",
  "sparc64",
  "wasm",
]);

/** Why a specifier was refused; the caller wraps it with the flag or line it came from. */
export class PlatformSpecError extends Error {}

function normalizeOS(os: string): string {
  const lower = os.toLowerCase();
  return lower === "macos" ? "darwin" : lower;
}

/** containerd's normalizeArch: aliases to GOARCH, default variants, redundant variants dropped. */
function normalizeArch(arch: string, variant: string): [string, string] {
  const a = arch.toLowerCase();
  const v = variant.toLowerCase();
  switch (a) {
    case "i386":
      return ["386", ""];
    case "x86_64":
    case "x86-64":
    case "amd64":
      return ["amd64", v === "v1" ? "" : v];
    case "aarch64":
    case "arm64":
      if (v === "8" || v === "v8" || v === "v8.0") return ["arm64", ""];
      if (v === "9" || v === "9.0" || v === "v9.0") return ["arm64", "v9"];
      return ["arm64", v];
    case "armhf":
      return ["arm", "v7"];
    case "armel":
      return ["arm", "v6"];
    case "arm":
      if (v === "" || v === "7") return ["arm", "v7"];
      if (v === "5" || v === "6" || v === "8") return ["arm", `v${v}`];
      return ["arm", v];
    default:
      return [a, v];
  }
}

function make(os: string, arch: string, variant: string): Platform {
  const [architecture, v] = normalizeArch(arch, variant);
  if (!KNOWN_OS.has(os)) throw new PlatformSpecError(`"${os}" is not a known operating system`);
  if (!KNOWN_ARCH.has(architecture)) throw new PlatformSpecError(`"${arch}" is not a known architecture`);
  const platform: Platform = { os, architecture };
  if (v !== "") platform.variant = v;
  return platform;
}

/** Parses and normalises one specifier (`os[/arch[/variant]]` or a bare arch); throws PlatformSpecError. */
export function normalizePlatformSpec(text: string): Platform {
  const spec = text.trim();
  const parts = spec.split("/");
  if (spec === "" || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new PlatformSpecError("expected os[/arch[/variant]], e.g. linux/amd64");
  }
  if (parts.length === 1) {
    const only = parts[0].toLowerCase();
    // A bare OS means the host's architecture; a bare architecture means linux.
    if (KNOWN_OS.has(normalizeOS(only))) {
      const host = hostPlatform();
      return make(
        normalizeOS(only),
        host.architecture,
        host.architecture === "arm" ? (host.variant ?? "") : "",
      );
    }
    const [arch] = normalizeArch(only, "");
    if (!KNOWN_ARCH.has(arch))
      throw new PlatformSpecError(`"${parts[0]}" is not a known operating system or architecture`);
    return make("linux", only, "");
  }
  return make(normalizeOS(parts[0]), parts[1], parts[2] ?? "");
}

/**
 * A `--platform` value: one specifier or a comma-separated list (or a list of either), each
 * normalised, duplicates dropped in first-seen order (as buildx does).
 */
export function normalizePlatformList(value: string | readonly string[]): Platform[] {
  const items = (typeof value === "string" ? [value] : value).flatMap((v) => v.split(","));
  const out = new Map<string, Platform>();
  for (const item of items) {
    let platform: Platform;
    try {
      platform = normalizePlatformSpec(item);
    } catch (err) {
      if (!(err instanceof PlatformSpecError)) throw err;
      throw new PlatformSpecError(`invalid platform "${item.trim()}": ${err.message}`);
    }
    const key = formatPlatform(platform);
    if (!out.has(key)) out.set(key, platform);
  }
  return [...out.values()];
}

/** Same OS, architecture and variant (after normalisation). */
export function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? "") === (b.variant ?? "");
}
