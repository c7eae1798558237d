import * as fs from "node:fs";
import * as path from "node:path";
import { runStep } from "../../src/executor/run-step";
import { captureIO, mountsUnder, SandboxFixture } from "./sandbox-fixture";

let fx: SandboxFixture;
beforeAll(() => {
  fx = new SandboxFixture();
});
afterEach(() => {
  expect(mountsUnder(fx.dir)).toEqual([]);
});
afterAll(() => fx.cleanup());

describe("runStep", () => {
  test("shell form runs through /bin/sh -c in the chroot as pid 1", async () => {
    const io = captureIO();
    const spec = fx.spec(["/bin/sh", "-c", "echo hello; echo $$; hostname; echo err >&2"]);
    const result = await runStep(spec, io);
    expect(io.err()).toBe("err\n");
    expect(io.out()).toBe("hello\n1\ntsbuild-test\n");
    expect(result.exitCode).toBe(0);
    expect(fs.readdirSync(spec.upperDir)).toEqual([]);
  });
});
