import type { Platform } from "./descriptor";

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

/** `linux/arm64/v8` form. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== "").join("/");
}
