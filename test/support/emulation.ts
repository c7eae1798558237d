/**
 * QEMU user emulation for foreign-architecture tests: binfmt_misc mounted and qemu-<arch>
 * registered with the F flag (from Debian's qemu-user-static), undone afterwards if the test
 * added it; and Debian's static busybox for that architecture, fetched with apt-get download.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const BINFMT = "/proc/sys/fs/binfmt_misc";

export interface Emulation {
  /** Undoes what ensureEmulation did (unregisters the entry, unmounts binfmt_misc). */
  restore(): void;
}

export function ensureEmulation(qemuArch: string): Emulation {
  const undo: Array<() => void> = [];
  if (!fs.existsSync(`${BINFMT}/status`)) {
    execFileSync("mount", ["-t", "binfmt_misc", "binfmt_misc", BINFMT]);
    undo.push(() => execFileSync("umount", [BINFMT]));
  }
  const entry = `${BINFMT}/qemu-${qemuArch}`;
  const flags = fs.existsSync(entry)
    ? (/^flags:\s*(\S*)/m.exec(fs.readFileSync(entry, "utf8"))?.[1] ?? "")
    : null;
  if (flags === null || !flags.includes("F")) {
    if (flags !== null) {
      const before = fs.readFileSync(entry, "utf8");
      fs.writeFileSync(entry, "-1");
      undo.push(() => reregister(before, qemuArch));
    }
    const conf = fs.readFileSync(`/usr/lib/binfmt.d/qemu-${qemuArch}.conf`, "utf8").trim();
    const line = conf.replace(/:([A-Z]*)$/, (_m, f: string) => `:${f.includes("F") ? f : `${f}F`}`);
    fs.writeFileSync(`${BINFMT}/register`, line);
    undo.unshift(() => fs.writeFileSync(entry, "-1"));
  }
  return {
    restore: () => {
      for (const u of undo) {
        try {
          u();
        } catch {
          // best effort: leave the host as close to how we found it as we can
        }
      }
    },
  };
}

/** Writes back a registration we replaced (the flags it had are lost otherwise). */
function reregister(before: string, qemuArch: string): void {
  const interpreter = /^interpreter (\S+)/m.exec(before)?.[1];
  const flags = /^flags:\s*(\S*)/m.exec(before)?.[1] ?? "";
  const conf = fs.readFileSync(`/usr/lib/binfmt.d/qemu-${qemuArch}.conf`, "utf8").trim();
  const parts = conf.split(":");
  if (interpreter !== undefined) parts[6] = interpreter;
  parts[7] = flags;
  fs.writeFileSync(`${BINFMT}/register`, parts.join(":"));
}

/** /bin/busybox of Debian's busybox-static for `debArch` ("arm64"), cached in the temp dir. */
export function foreignBusybox(debArch: string): string {
  const dir = path.join(os.tmpdir(), `tsbuild-busybox-${debArch}`);
  const bin = path.join(dir, "root/bin/busybox");
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(dir, { recursive: true });
  const archs = execFileSync("dpkg", ["--print-foreign-architectures"], { encoding: "utf8" });
  if (!archs.split("\n").includes(debArch)) {
    execFileSync("dpkg", ["--add-architecture", debArch]);
    execFileSync("apt-get", ["update", "-qq", "-o", "DPkg::Lock::Timeout=600"], { stdio: "ignore" });
  }
  execFileSync("apt-get", ["download", "-qq", `busybox-static:${debArch}`], { cwd: dir, stdio: "ignore" });
  const deb = fs.readdirSync(dir).find((f) => f.endsWith(".deb"));
  if (deb === undefined) throw new Error(`apt-get download busybox-static:${debArch} gave no .deb`);
  execFileSync("dpkg-deb", ["-x", path.join(dir, deb), path.join(dir, "root")]);
  return bin;
}
