import * as fs from "node:fs";
import * as path from "node:path";
import { RunFailedError } from "../../src/executor/errors";
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

const sh = (script: string): string[] => ["/bin/sh", "-c", script];

describe("runStep: command, env, cwd", () => {
  test("shell form runs through /bin/sh -c in the chroot as pid 1 with the hostname", async () => {
    const io = captureIO();
    const spec = fx.spec(sh("echo hello; echo $$; hostname; echo err >&2"));
    const result = await runStep(spec, io);
    expect(io.err()).toBe("err\n");
    expect(io.out()).toBe("hello\n1\ntsbuild-test\n");
    expect(result.exitCode).toBe(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    // /proc, /dev, /sys, /etc/hosts, /etc/resolv.conf mount points are gone from the upper dir
    expect(fs.readdirSync(spec.upperDir)).toEqual([]);
  });

  test("exec form passes argv untouched and looks the program up in the container PATH", async () => {
    const io = captureIO();
    await runStep(fx.spec(["echo", "a  b", "$HOME", "*"]), io);
    expect(io.out()).toBe("a  b $HOME *\n");
  });

  test("the environment is exactly the given one", async () => {
    const io = captureIO();
    const env = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "WITH_EQ=a=b"];
    await runStep(fx.spec(["env"], { env }), io);
    // HOME comes from the user's passwd entry when the step does not set it (runc, BuildKit).
    expect(io.out().trim().split("\n").sort()).toEqual([...env, "HOME=/root"].sort());
  });

  test("a missing working directory is created, owned by the user, and kept in the upper dir", async () => {
    const io = captureIO();
    const spec = fx.spec(sh("pwd; stat -c '%u:%g %a' /work /work/deep/dir"), {
      cwd: "/work/deep/dir",
      user: "alice",
    });
    await runStep(spec, io);
    expect(io.out()).toBe("/work/deep/dir\n1000:1000 755\n1000:1000 755\n");
    expect(fs.statSync(path.join(spec.upperDir, "work/deep/dir")).uid).toBe(1000);
  });

  test("/etc/hosts names the hostname; /dev has the usual devices; /dev/null works", async () => {
    const io = captureIO();
    await runStep(
      fx.spec(
        sh(
          "cat /etc/hosts; ls /dev; echo gone >/dev/null; head -c 4 /dev/zero | wc -c; test -c /dev/pts/ptmx && echo pts",
        ),
      ),
      io,
    );
    expect(io.out()).toContain("127.0.0.1\tlocalhost tsbuild-test\n");
    const lsOut = io.out();
    for (const d of ["null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "ptmx", "fd"]) {
      expect(lsOut).toMatch(new RegExp(`^${d}$`, "m"));
    }
    expect(lsOut).toContain("\n4\npts\n");
  });
});

describe("runStep: USER", () => {
  test("by name: uid, primary gid and supplementary groups from /etc/group", async () => {
    const io = captureIO();
    await runStep(fx.spec(sh("id -u; id -g; id -G"), { user: "alice" }), io);
    const [uid, gid, groups] = io.out().trim().split("\n");
    expect([uid, gid]).toEqual(["1000", "1000"]);
    expect(groups.split(" ").sort()).toEqual(["10", "1000", "50"]);
  });

  test("uid:gid replaces the groups", async () => {
    const io = captureIO();
    await runStep(fx.spec(sh("id -u; id -g; id -G"), { user: "1001:50" }), io);
    expect(io.out()).toBe("1001\n50\n50\n");
  });

  test("name:group resolves the group by name", async () => {
    const io = captureIO();
    await runStep(fx.spec(["id"], { user: "bob:staff" }), io);
    // An explicit group is the only group (BuildKit's testUserAdditionalGids: groups=1234).
    expect(io.out()).toBe("uid=1001(bob) gid=50(staff) groups=50(staff)\n");
  });

  test("a missing user is a typed error, before anything runs", async () => {
    const spec = fx.spec(["true"], { user: "nobody-here" });
    await expect(runStep(spec)).rejects.toMatchObject({
      code: "ROOTFS_UNKNOWN_USER",
      message: expect.stringContaining("no user nobody-here"),
    });
  });
});

describe("runStep: failures", () => {
  test("a non-zero exit is a result with the last lines of output", async () => {
    const out = Array.from({ length: 5 }, (_, i) => `echo out${i}`).join("; ");
    const errs = Array.from({ length: 40 }, (_, i) => `echo err${i} >&2`).join("; ");
    const result = await runStep(fx.spec(sh(`${out}; ${errs}; echo oops >&2; exit 3`)));
    expect(result.exitCode).toBe(3);
    expect(result.outputTail).toHaveLength(20);
    // stdout and stderr are two pipes whose lines are kept as they arrive: at most stdout's 5
    // lines can come after stderr's last, so "oops" is always among the last 20.
    expect(result.outputTail).toContain("oops");
    const err = new RunFailedError(["/bin/sh", "-c", "x"], result.exitCode, result.outputTail);
    expect(err.code).toBe("RUN_FAILED");
    expect(err.message).toMatch(/^run \["\/bin\/sh","-c","x"\]: process exited with code 3\n/);
    expect(err.message).toContain("  oops");
  });

  test("a missing executable exits 127", async () => {
    const io = captureIO();
    const result = await runStep(fx.spec(["/no/such/program"]), io);
    expect(result.exitCode).toBe(127);
    expect(io.err()).toContain("/no/such/program");
  });

  test("a mount target below a file is a typed setup error", async () => {
    const spec = fx.spec(["true"], { mounts: [{ type: "tmpfs", target: "/etc/passwd/x" }] });
    await expect(runStep(spec)).rejects.toMatchObject({ code: "ROOTFS_NOT_A_DIRECTORY" });
  });

  test("a missing layer dir is a typed error naming it, before anything runs", async () => {
    const missing = path.join(fx.dir, "does-not-exist");
    const err = await runStep(fx.spec(["true"], { lowerDirs: [missing] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ROOTFS_NOT_FOUND", message: expect.stringContaining(missing) });
  });
});

describe("runStep: layers and rootfs safety", () => {
  test("127 stacked layers with long paths (more than a page of lowerdir option)", async () => {
    const deep = path.join(fx.dir, "x".repeat(60));
    fs.mkdirSync(deep);
    const layers: string[] = [];
    for (let i = 0; i < 127; i++) {
      const d = path.join(deep, `layer-with-a-long-name-${String(i).padStart(4, "0")}`);
      fs.mkdirSync(path.join(d, "layers"), { recursive: true });
      fs.writeFileSync(path.join(d, "layers", `f${i}`), String(i));
      fs.writeFileSync(path.join(d, "top"), String(i));
      layers.unshift(d);
    }
    expect(layers.join(":").length).toBeGreaterThan(4096);
    const io = captureIO();
    const result = await runStep(
      fx.spec(sh("ls /layers | wc -l; cat /top"), { lowerDirs: [...layers, fx.base] }),
      io,
    );
    expect(result.exitCode).toBe(0);
    // the top-most layer (first) wins
    expect(io.out()).toBe("127\n126");
  });

  test("layer and upper dirs whose paths hold the option syntax's ',' and ':'", async () => {
    const odd = path.join(fx.dir, "odd,name:x");
    fs.mkdirSync(path.join(odd, "etc"), { recursive: true });
    fs.writeFileSync(path.join(odd, "etc", "marker"), "odd layer");
    const io = captureIO();
    const spec = fx.spec(sh("cat /etc/marker; echo changed > /new"), {
      lowerDirs: [odd, fx.base],
      upperDir: path.join(fx.dir, "up,per:1"),
    });
    const result = await runStep(spec, io);
    expect(result.exitCode).toBe(0);
    expect(io.out()).toBe("odd layer");
    expect(fs.readFileSync(path.join(spec.upperDir, "new"), "utf8")).toBe("changed\n");
  });

  test("a rootfs without /etc gets /etc/hosts and /etc/resolv.conf without recording them", async () => {
    const bare = fx.layer();
    fs.mkdirSync(path.join(bare, "bin"));
    fs.copyFileSync("/bin/busybox", path.join(bare, "bin/busybox"));
    fs.chmodSync(path.join(bare, "bin/busybox"), 0o755);
    fs.symlinkSync("busybox", path.join(bare, "bin/sh"));
    const io = captureIO();
    const spec = fx.spec(["/bin/busybox", "cat", "/etc/hosts"], { lowerDirs: [bare] });
    await runStep(spec, io);
    expect(io.out()).toContain("localhost tsbuild-test");
    expect(fs.readdirSync(spec.upperDir)).toEqual([]);
  });

  test("a symlinked mount target resolves inside the root, never on the host", async () => {
    const escape = path.join(fx.dir, "escape");
    const evil = fx.layer();
    fs.mkdirSync(path.join(evil, "etc"));
    fs.symlinkSync(`${escape}/resolv.conf`, path.join(evil, "etc/resolv.conf"));
    fs.symlinkSync("../../../../../../..", path.join(evil, "up"));
    const io = captureIO();
    const spec = fx.spec(sh("cat /etc/resolv.conf >/dev/null && echo ok; ls /up/bin/busybox"), {
      lowerDirs: [evil, fx.base],
      mounts: [{ type: "tmpfs", target: "/up/escape-tmpfs" }],
    });
    const result = await runStep(spec, io);
    expect(result.exitCode).toBe(0);
    expect(io.out()).toBe("ok\n/up/bin/busybox\n");
    expect(fs.existsSync(escape)).toBe(false);
    expect(fs.existsSync(path.join(fx.dir, "escape-tmpfs"))).toBe(false);
    expect(fs.existsSync("/escape-tmpfs")).toBe(false);
    expect(fs.readdirSync(spec.upperDir)).toEqual([]);
  });
});

describe("runStep: network", () => {
  test("--network=none has only lo, and it is up", async () => {
    const io2 = captureIO();
    await runStep(
      fx.spec(sh("tail -n +3 /proc/net/dev; echo ---; ip link show lo"), { network: "none" }),
      io2,
    );
    const [dev, link] = io2.out().split("---\n");
    const devLines = dev.split("\n").filter((l) => l.includes(":"));
    expect(devLines.map((l) => l.trim().split(":")[0])).toEqual(["lo"]);
    expect(link).toMatch(/lo: <LOOPBACK,UP,LOWER_UP>/);
  });

  test("--network=host shares the host's interfaces", async () => {
    const io = captureIO();
    await runStep(fx.spec(["cat", "/proc/net/dev"], { network: "host" }), io);
    const names = (text: string): string[] =>
      text
        .split("\n")
        .slice(2)
        .filter((l) => l.includes(":"))
        .map((l) => l.trim().split(":")[0])
        .sort();
    expect(names(io.out())).toEqual(names(fs.readFileSync("/proc/net/dev", "utf8")));
  });
});
