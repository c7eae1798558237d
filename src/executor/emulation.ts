/**
 * RUN for a foreign architecture: the kernel runs the binaries through QEMU user emulation
 * (Debian's qemu-user-static) registered in binfmt_misc. The registration needs the F
 * (fix-binary) flag: the kernel then opens the interpreter when it is registered, so it works
 * inside a container's root filesystem, which does not have it. tsbuild only checks the
 * registration and explains how to make it; registering is the administrator's call.
 */
import * as fs from "node:fs";
import type { Platform } from "../image/descriptor";
import { hostPlatform } from "../image/platform";
import { ExecutorError } from "./errors";

const BINFMT = "/proc/sys/fs/binfmt_misc";

/** GOARCH → QEMU's name for the architecture (the binfmt_misc entry is qemu-<name>). */
const QEMU_ARCH: Record<string, string> = {
  amd64: "x86_64",
  arm64: "aarch64",
  arm: "arm",
  "386": "i386",
  ppc64le: "ppc64le",
  s390x: "s390x",
  riscv64: "riscv64",
  mips64le: "mips64el",
};

/** Architectures this host runs natively (amd64 also runs 386, arm64 runs 32-bit arm). */
function nativeArches(): string[] {
  const host = hostPlatform().architecture;
  if (host === "amd64") return ["amd64", "386"];
  if (host === "arm64") return ["arm64", "arm"];
  return [host];
}

export interface EmulationStatus {
  native: boolean;
  /** The binfmt_misc entry used ("qemu-aarch64") when emulated. */
  entry?: string;
}

/**
 * Checks that RUN can execute `platform`'s binaries here. Throws ExecutorError
 * EXECUTOR_NO_EMULATION explaining how to set QEMU up when it cannot.
 */
export function checkEmulation(platform: Platform): EmulationStatus {
  if (nativeArches().includes(platform.architecture)) return { native: true };
  const qemu = QEMU_ARCH[platform.architecture];
  const what = `RUN for ${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ""}`;
  if (qemu === undefined) {
    throw new ExecutorError(
      "EXECUTOR_NO_EMULATION",
      `${what}: no QEMU emulation is known for this architecture`,
    );
  }
  const entry = `qemu-${qemu}`;
  const help =
    `install Debian's qemu-user-static, mount binfmt_misc (mount -t binfmt_misc binfmt_misc ${BINFMT}) ` +
    `and register ${entry} with the F flag (the line of /usr/lib/binfmt.d/${entry}.conf written to ${BINFMT}/register)`;
  if (!fs.existsSync(`${BINFMT}/status`)) {
    throw new ExecutorError("EXECUTOR_NO_EMULATION", `${what}: binfmt_misc is not mounted: ${help}`);
  }
  let text: string;
  try {
    text = fs.readFileSync(`${BINFMT}/${entry}`, "utf8");
  } catch {
    throw new ExecutorError(
      "EXECUTOR_NO_EMULATION",
      `${what}: ${entry} is not registered in binfmt_misc: ${help}`,
    );
  }
  if (!/^enabled$/m.test(text)) {
    throw new ExecutorError("EXECUTOR_NO_EMULATION", `${what}: ${entry} is registered but disabled: ${help}`);
  }
  const flags = /^flags:\s*(\S*)/m.exec(text)?.[1] ?? "";
  if (!flags.includes("F")) {
    throw new ExecutorError(
      "EXECUTOR_NO_EMULATION",
      `${what}: ${entry} is registered without the F flag, so its interpreter is not found inside containers: ${help}`,
    );
  }
  return { native: false, entry };
}
