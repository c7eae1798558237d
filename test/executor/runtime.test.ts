import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { detectRuntime } from "../../src/executor/runtime";
import { convertProfile } from "../../src/executor/seccomp";

describe("detectRuntime", () => {
  test("finds runc by default, on the host PATH, and caches the answer", async () => {
    const first = detectRuntime();
    expect(detectRuntime()).toBe(first);
    const runtime = await first;
    expect(runtime.name).toBe("runc");
    expect(path.isAbsolute(runtime.binary)).toBe(true);
    expect(runtime.stateDir).toBe("/run/tsbuild/runc");
  });

  test("runc --version runs once per binary: a stamp of its stat skips it in later processes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-runtime-"));
    const saved = process.env.TSBUILD_RUNTIME_STATE_DIR;
    process.env.TSBUILD_RUNTIME_STATE_DIR = dir;
    /** detectRuntime in a fresh module (a new process's), counting the --version spawns. */
    const detectFresh = async (): Promise<{ binary: string; spawns: number }> => {
      let spawns = 0;
      let detect: typeof detectRuntime | undefined;
      jest.isolateModules(() => {
        jest.doMock("../../src/lazy-builtins", () => {
          const actual =
            jest.requireActual<typeof import("../../src/lazy-builtins")>("../../src/lazy-builtins");
          return {
            ...actual,
            execFileAsync: (...args: Parameters<typeof actual.execFileAsync>) => {
              spawns++;
              return actual.execFileAsync(...args);
            },
          };
        });
        ({ detectRuntime: detect } = jest.requireActual<typeof import("../../src/executor/runtime")>(
          "../../src/executor/runtime",
        ));
      });
      const runtime = await (detect as typeof detectRuntime)();
      jest.dontMock("../../src/lazy-builtins");
      return { binary: runtime.binary, spawns };
    };
    try {
      const first = await detectFresh();
      expect(first.spawns).toBe(1);
      const stamp = path.join(dir, "runc.checked");
      const st = fs.statSync(first.binary, { bigint: true });
      expect(fs.readFileSync(stamp, "utf8")).toBe(
        [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(":"),
      );
      expect((await detectFresh()).spawns).toBe(0);
      // A stamp of another binary (an upgrade) is checked again, and replaced.
      fs.writeFileSync(stamp, "1:2:3:4:5");
      expect((await detectFresh()).spawns).toBe(1);
      expect((await detectFresh()).spawns).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.TSBUILD_RUNTIME_STATE_DIR;
      else process.env.TSBUILD_RUNTIME_STATE_DIR = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an unknown runtime is a typed error naming the flag", async () => {
    await expect(detectRuntime("kata")).rejects.toMatchObject({
      code: "EXECUTOR_BAD_RUNTIME",
      message: expect.stringContaining("--runtime kata"),
    });
  });
});

describe("seccomp profile conversion (moby's rules)", () => {
  const profile = {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: 38,
    archMap: [{ architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] }],
    syscalls: [
      { names: ["read", "write"], action: "SCMP_ACT_ALLOW" },
      { names: ["arch_prctl"], action: "SCMP_ACT_ALLOW", includes: { arches: ["amd64"] } },
      { names: ["breakpoint"], action: "SCMP_ACT_ALLOW", includes: { arches: ["arm64"] } },
      { names: ["chroot"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_CHROOT"] } },
      { names: ["chroot"], action: "SCMP_ACT_ERRNO", errnoRet: 1, excludes: { caps: ["CAP_SYS_CHROOT"] } },
      { names: ["bpf"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_ADMIN"] } },
      { names: ["newer"], action: "SCMP_ACT_ALLOW", includes: { minKernel: "99.0" } },
    ],
  };

  test("keeps the rules whose includes hold and whose excludes do not", () => {
    const out = convertProfile(profile, ["CAP_SYS_CHROOT"], "x64", "6.1.0-amd64");
    expect(out.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    expect(out.defaultErrnoRet).toBe(38);
    const general = out.syscalls.filter((s) => !s.names.includes("mknod") && !s.names.includes("mknodat"));
    expect(general.map((s) => `${s.names.join(",")}:${s.action}`)).toEqual([
      "read,write:SCMP_ACT_ALLOW",
      "arch_prctl:SCMP_ACT_ALLOW",
      "chroot:SCMP_ACT_ALLOW",
    ]);
  });

  test("mknod of a character or block device is refused with EPERM, other nodes allowed", () => {
    const out = convertProfile(
      {
        defaultAction: "SCMP_ACT_ERRNO",
        syscalls: [{ names: ["mknod", "mknodat", "open"], action: "SCMP_ACT_ALLOW" }],
      },
      [],
      "x64",
      "6.1",
    );
    expect(out.syscalls[0]).toEqual({ names: ["open"], action: "SCMP_ACT_ALLOW" });
    const denied = out.syscalls.filter((s) => s.action === "SCMP_ACT_ERRNO");
    expect(denied.map((s) => [s.names[0], s.args?.[0]?.index, s.args?.[0]?.valueTwo])).toEqual([
      ["mknod", 1, 0o020000],
      ["mknod", 1, 0o060000],
      ["mknodat", 2, 0o020000],
      ["mknodat", 2, 0o060000],
    ]);
  });

  test("without the capability the denying rule applies", () => {
    const out = convertProfile(profile, [], "x64", "6.1.0");
    expect(out.syscalls.find((s) => s.names.includes("chroot"))).toEqual({
      names: ["chroot"],
      action: "SCMP_ACT_ERRNO",
      errnoRet: 1,
    });
  });
});
