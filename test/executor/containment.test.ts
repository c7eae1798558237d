/**
 * RUN is a real container: what a hostile Dockerfile tried against the old chroot sandbox, run
 * against the runc one. Each test states what must not happen to the host.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { runStep } from "../../src/executor/run-step";
import { DEFAULT_CAPABILITIES } from "../../src/executor/oci-spec";
import { captureIO, mountsUnder, SandboxFixture } from "./sandbox-fixture";

let fx: SandboxFixture;
let tools: string;
beforeAll(() => {
  fx = new SandboxFixture();
  tools = fx.layer();
  // chroot("x"), chdir("..") 64 times, chroot("."): the classic escape from a chroot (it works
  // when the process can chroot and its root is not the mount namespace's root).
  const escape = path.join(fx.dir, "escape.c");
  fs.writeFileSync(
    escape,
    `#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
  mkdir("x", 0755);
  if (chroot("x") != 0) { perror("chroot x"); }
  for (int i = 0; i < 64; i++) chdir("..");
  if (chroot(".") != 0) { perror("chroot ."); }
  FILE *f = fopen(argv[1], "w");
  if (f == NULL) { perror("fopen"); return 3; }
  fputs("escaped\\n", f);
  fclose(f);
  return 0;
}
`,
  );
  fs.mkdirSync(path.join(tools, "bin"), { recursive: true });
  execFileSync("cc", ["-static", "-O1", "-o", path.join(tools, "bin", "escape"), escape]);
});
afterAll(() => fx.cleanup());
afterEach(() => expect(mountsUnder(fx.dir)).toEqual([]));

async function sh(
  script: string,
  lowerDirs = [fx.base],
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const result = await runStep(fx.spec(["/bin/sh", "-c", script], { lowerDirs }), io);
  return { code: result.exitCode, out: io.out(), err: io.err() };
}

test("a chroot escape writes nothing outside the rootfs", async () => {
  // A path that exists on the host and in the container alike: only where it lands differs.
  const sentinel = `/tmp/tsbuild-escape-${process.pid}-${Date.now()}`;
  const r = await sh(`cd /tmp && /bin/escape ${sentinel}; echo rc=$?; cat ${sentinel}`, [tools, fx.base]);
  expect(fs.existsSync(sentinel)).toBe(false);
  fs.rmSync(sentinel, { force: true });
  // Whatever it reached, it was inside the container: the file it wrote is visible there.
  expect(r.out).toContain("escaped");
});

test("/proc/sys and /sys are read-only; core_pattern cannot be written", async () => {
  const r = await sh(
    "echo '|/tmp/x' > /proc/sys/kernel/core_pattern; echo a=$?; " +
      "touch /sys/x 2>/dev/null; echo b=$?; mount -o remount,rw /sys 2>/dev/null; echo c=$?",
  );
  expect(r.out).toMatch(/a=[1-9]/);
  expect(r.out).toMatch(/b=[1-9]/);
  expect(r.out).toMatch(/c=[1-9]/);
  expect(fs.readFileSync("/proc/sys/kernel/core_pattern", "utf8")).not.toContain("/tmp/x");
});

test("mknod and mount fail", async () => {
  const r = await sh(
    "mknod /tmp/disk b 8 0 2>&1; echo a=$?; mknod /dev/mem2 c 1 1 2>&1; echo b=$?; " +
      "mkdir -p /mnt; mount -t tmpfs tmpfs /mnt 2>&1; echo c=$?; mount -t proc proc /mnt 2>&1; echo d=$?",
  );
  for (const k of ["a", "b", "c", "d"]) expect(r.out).toMatch(new RegExp(`${k}=[1-9]`));
  // Fifos are not devices: still allowed.
  expect((await sh("mkfifo /tmp/f 2>&1 || mknod /tmp/f p; echo e=$?")).out).toContain("e=0");
});

test("CapEff is Docker's default set and seccomp is on (Seccomp: 2)", async () => {
  const r = await sh("grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status");
  const bits: Record<string, number> = {
    CAP_CHOWN: 0,
    CAP_DAC_OVERRIDE: 1,
    CAP_FOWNER: 3,
    CAP_FSETID: 4,
    CAP_KILL: 5,
    CAP_SETGID: 6,
    CAP_SETUID: 7,
    CAP_SETPCAP: 8,
    CAP_NET_BIND_SERVICE: 10,
    CAP_NET_RAW: 13,
    CAP_SYS_CHROOT: 18,
    CAP_MKNOD: 27,
    CAP_AUDIT_WRITE: 29,
    CAP_SETFCAP: 31,
  };
  const expected = DEFAULT_CAPABILITIES.reduce((n, c) => n | (1n << BigInt(bits[c])), 0n);
  expect(expected.toString(16)).toBe("a80425fb");
  expect(r.out).toContain(`CapEff:\t${expected.toString(16).padStart(16, "0")}`);
  expect(r.out).toContain(`CapBnd:\t${expected.toString(16).padStart(16, "0")}`);
  expect(r.out).toContain("Seccomp:\t2");
});

test("a fork bomb is stopped by the pids limit and the step ends", async () => {
  const io = captureIO();
  const result = await runStep(
    // A sleep length no other test uses: tests in other workers run their own sleeps meanwhile.
    fx.spec(["/bin/sh", "-c", "i=0; while [ $i -lt 400 ]; do sleep 37 & i=$((i+1)); done; wait"], {
      pidsLimit: 64,
    }),
    io,
  );
  // sh reports the failed fork and the limit holds; the container and its processes are gone.
  expect(io.err()).toMatch(/can't fork|Resource temporarily unavailable|fork/i);
  expect(result.exitCode).not.toBe(0);
  // The kernel kills the pid namespace's processes when its init ends; on a loaded machine the
  // last of them may take a moment to go.
  const left = (): string[] =>
    execFileSync("ps", ["-eo", "stat=,args="], { encoding: "utf8" })
      .split("\n")
      .filter((l) => / sleep 37$/.test(l.trim()) && !l.trim().startsWith("Z"));
  for (let i = 0; i < 50 && left().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(left()).toEqual([]);
}, 60_000);

test("the host's processes and files are not visible", async () => {
  const r = await sh("ls /proc | grep -c '^[0-9]'; ls /tmp; cat /etc/hostname 2>/dev/null; hostname");
  const [count] = r.out.trim().split("\n");
  expect(Number(count)).toBeLessThan(10);
  expect(r.out).toContain("tsbuild-test");
});
