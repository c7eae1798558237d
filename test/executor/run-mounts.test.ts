import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runStep } from "../../src/executor/run-step";
import { captureIO, mountsUnder, SandboxFixture } from "./sandbox-fixture";

let fx: SandboxFixture;
beforeAll(() => {
  fx = new SandboxFixture();
});
afterEach(() => {
  expect(mountsUnder(fx.dir)).toEqual([]);
  expect(fs.readdirSync("/dev/shm").filter((n) => n.startsWith("tsbuild-secret-"))).toEqual([]);
});
afterAll(() => fx.cleanup());

const sh = (script: string): string[] => ["/bin/sh", "-c", script];

describe("RUN mounts", () => {
  test("bind is read-only by default and leaves no mount point in the upper dir", async () => {
    const src = fx.layer({ "hello.txt": "from host\n" });
    const io = captureIO();
    const spec = fx.spec(
      sh("cat /src/hello.txt; echo x >/src/new 2>/dev/null && echo wrote || echo refused"),
      {
        mounts: [{ type: "bind", source: src, target: "/src" }],
      },
    );
    await runStep(spec, io);
    expect(io.out()).toBe("from host\nrefused\n");
    expect(fs.readdirSync(spec.upperDir)).toEqual([]);
  });

  test("a read-write bind accepts writes without changing the source", async () => {
    const src = fx.layer({ "hello.txt": "from host\n" });
    const file = path.join(fx.layer({ "one.txt": "single\n" }), "one.txt");
    const io = captureIO();
    const spec = fx.spec(
      sh(
        "echo changed >/src/hello.txt; echo x >/src/new; cat /src/hello.txt /src/new; echo more >>/one.txt; cat /one.txt",
      ),
      {
        mounts: [
          { type: "bind", source: src, target: "/src", readonly: false },
          { type: "bind", source: file, target: "/one.txt", readonly: false },
        ],
      },
    );
    const result = await runStep(spec, io);
    expect(result.exitCode).toBe(0);
    expect(io.out()).toBe("changed\nx\nsingle\nmore\n");
    expect(fs.readdirSync(src)).toEqual(["hello.txt"]);
    expect(fs.readFileSync(path.join(src, "hello.txt"), "utf8")).toBe("from host\n");
    expect(fs.readFileSync(file, "utf8")).toBe("single\n");
    expect(fs.readdirSync(spec.upperDir)).toEqual([]);
  });

  test("a cache mount persists across runs and is never part of the layer", async () => {
    const cache = path.join(fx.dir, "cache-a");
    const mounts = [
      { type: "cache" as const, target: "/root/.cache", source: cache, sharing: "shared" as const },
    ];
    const first = fx.spec(sh("echo 1 >>/root/.cache/runs"), { mounts });
    await runStep(first);
    const io = captureIO();
    const second = fx.spec(sh("echo 2 >>/root/.cache/runs; cat /root/.cache/runs"), { mounts });
    await runStep(second, io);
    expect(io.out()).toBe("1\n2\n");
    expect(fs.readFileSync(path.join(cache, "runs"), "utf8")).toBe("1\n2\n");
    expect(fs.readdirSync(first.upperDir)).toEqual([]);
    expect(fs.readdirSync(second.upperDir)).toEqual([]);
  });

  test("sharing=locked runs one step at a time", async () => {
    const cache = path.join(fx.dir, "cache-locked");
    const mounts = [{ type: "cache" as const, target: "/c", source: cache, sharing: "locked" as const }];
    const step = (name: string): Promise<unknown> =>
      runStep(fx.spec(sh(`echo ${name}-start >>/c/log; sleep 0.3; echo ${name}-end >>/c/log`), { mounts }));
    await Promise.all([step("a"), step("b"), step("c")]);
    const log = fs.readFileSync(path.join(cache, "log"), "utf8").trim().split("\n");
    expect(log).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) {
      expect(log[i].replace("-start", "")).toBe(log[i + 1].replace("-end", ""));
    }
  });

  test("sharing=shared lets steps overlap", async () => {
    const cache = path.join(fx.dir, "cache-shared");
    const mounts = [{ type: "cache" as const, target: "/c", source: cache, sharing: "shared" as const }];
    const step = (name: string): Promise<unknown> =>
      runStep(fx.spec(sh(`echo ${name}-start >>/c/log; sleep 0.5; echo ${name}-end >>/c/log`), { mounts }));
    await Promise.all([step("a"), step("b")]);
    const log = fs.readFileSync(path.join(cache, "log"), "utf8").trim().split("\n");
    expect(log.slice(0, 2).sort()).toEqual(["a-start", "b-start"]);
  });

  test("sharing=private gives a concurrent step a throw-away copy", async () => {
    const cache = path.join(fx.dir, "cache-private");
    fs.mkdirSync(cache);
    fs.writeFileSync(path.join(cache, "seed"), "seed\n");
    const mounts = [{ type: "cache" as const, target: "/c", source: cache, sharing: "private" as const }];
    const outputs = [captureIO(), captureIO()];
    await Promise.all(
      ["a", "b"].map((name, i) =>
        runStep(
          fx.spec(sh(`cat /c/seed; echo ${name} >/c/${name}; sleep 0.3; ls /c`), { mounts }),
          outputs[i],
        ),
      ),
    );
    for (const io of outputs) expect(io.out()).toMatch(/^seed\n/);
    const kept = fs.readdirSync(cache).sort();
    // one step wrote into the cache itself, the other into a discarded copy
    expect(kept.length).toBe(2);
    expect(kept).toContain("seed");
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("tsbuild-cache-private-"))).toEqual([]);
  });

  test("tmpfs is a fresh tmpfs, gone after the step", async () => {
    const io = captureIO();
    const spec = fx.spec(
      sh("echo x >/scratch/file; ls /scratch; grep ' /scratch ' /proc/mounts | cut -d' ' -f3"),
      {
        mounts: [{ type: "tmpfs", target: "/scratch", sizeBytes: 1 << 20 }],
      },
    );
    await runStep(spec, io);
    expect(io.out()).toBe("file\ntmpfs\n");
    expect(fs.readdirSync(spec.upperDir)).toEqual([]);
  });

  test("a secret is readable at /run/secrets/<id>, read-only, and never in the upper dir", async () => {
    const io = captureIO();
    const spec = fx.spec(
      sh(
        "cat /run/secrets/token; stat -c '%a %u' /run/secrets/token; echo x >/run/secrets/token 2>/dev/null || echo refused; cat /custom/s",
      ),
      {
        mounts: [
          { type: "secret", id: "token", content: Buffer.from("s3cr3t\n") },
          { type: "secret", id: "other", content: Buffer.from("two\n"), target: "/custom/s", mode: 0o444 },
        ],
      },
    );
    const result = await runStep(spec, io);
    expect(result.exitCode).toBe(0);
    expect(io.out()).toBe("s3cr3t\n400 0\nrefused\ntwo\n");
    expect(fs.readdirSync(spec.upperDir)).toEqual([]);
  });

  test("a missing bind source is a typed error", async () => {
    const spec = fx.spec(["true"], {
      mounts: [{ type: "bind", source: path.join(fx.dir, "nope"), target: "/x" }],
    });
    await expect(runStep(spec)).rejects.toMatchObject({ code: "EXECUTOR_BIND_SOURCE" });
  });

  test("files the command adds next to a mount point stay in the layer", async () => {
    const spec = fx.spec(sh("echo keep >/run/kept"), {
      mounts: [{ type: "secret", id: "s", content: Buffer.from("x") }],
    });
    await runStep(spec);
    expect(fs.readdirSync(path.join(spec.upperDir, "run"))).toEqual(["kept"]);
  });
});

describe("mount targets BuildKit accepts", () => {
  const fx2 = new SandboxFixture();
  afterAll(() => fx2.cleanup());

  test("a tmpfs at /dev/shm replaces the default one; nested cache mounts both work", async () => {
    const io = captureIO();
    const outer = path.join(fx2.dir, "cache-outer");
    const inner = path.join(fx2.dir, "cache-inner");
    const result = await runStep(
      fx2.spec(
        [
          "/bin/sh",
          "-c",
          "grep ' /dev/shm ' /proc/mounts | cut -d' ' -f4 | grep -q size=1024k && echo shm-ok; " +
            "echo a > /foo/bar/a && echo b > /foo/bar/baz/b && echo nested-ok",
        ],
        {
          mounts: [
            { type: "tmpfs", target: "/dev/shm", sizeBytes: 1024 * 1024 },
            { type: "cache", target: "/foo/bar/baz", source: inner, sharing: "shared" },
            { type: "cache", target: "/foo/bar", source: outer, sharing: "shared" },
          ],
        },
      ),
      io,
    );
    expect(io.err()).toBe("");
    expect(result.exitCode).toBe(0);
    expect(io.out()).toBe("shm-ok\nnested-ok\n");
    expect(fs.readFileSync(path.join(inner, "b"), "utf8")).toBe("b\n");
    expect(fs.readFileSync(path.join(outer, "a"), "utf8")).toBe("a\n");
  });
});
