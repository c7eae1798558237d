import * as fs from "node:fs";
import * as path from "node:path";
import { checkEmulation } from "../../src/executor/emulation";
import { runStep } from "../../src/executor/run-step";
import { ensureEmulation, foreignBusybox, type Emulation } from "../support/emulation";
import { captureIO, SandboxFixture } from "./sandbox-fixture";

/** RUN of arm64 binaries through QEMU user emulation registered with the F flag. */
let fx: SandboxFixture;
let emulation: Emulation;
let arm64: string;
beforeAll(() => {
  fx = new SandboxFixture();
  emulation = ensureEmulation("aarch64");
  arm64 = fx.layer();
  fs.mkdirSync(path.join(arm64, "bin"));
  fs.copyFileSync(foreignBusybox("arm64"), path.join(arm64, "bin/busybox"));
  fs.chmodSync(path.join(arm64, "bin/busybox"), 0o755);
  for (const a of ["sh", "uname"]) fs.symlinkSync("busybox", path.join(arm64, "bin", a));
}, 300_000);
afterAll(() => {
  emulation.restore();
  fx.cleanup();
});

test("an arm64 busybox runs in RUN on this host and reports aarch64", async () => {
  const io = captureIO();
  const result = await runStep(
    fx.spec(["/bin/sh", "-c", "uname -m"], {
      lowerDirs: [arm64],
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    }),
    io,
  );
  expect(io.err()).toBe("");
  expect(result.exitCode).toBe(0);
  expect(io.out()).toBe("aarch64\n");
});

test("checkEmulation: native architectures need nothing; an unknown one is a clear error", () => {
  expect(checkEmulation({ os: "linux", architecture: "amd64" })).toEqual({ native: true });
  expect(checkEmulation({ os: "linux", architecture: "arm64" })).toEqual({
    native: false,
    entry: "qemu-aarch64",
  });
  expect(() => checkEmulation({ os: "linux", architecture: "vax" })).toThrow(
    expect.objectContaining({ code: "EXECUTOR_NO_EMULATION" }),
  );
});
