import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import { PrivatePodman } from "../support/podman";
import { rm, tempTree } from "./helpers";

/**
 * RUN end to end: images built from a static busybox with RUN steps, then run by podman or
 * unpacked, so what the Dockerfile says is what the image holds.
 */
const busybox = fs.readFileSync("/bin/busybox");
const base = `FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -m 1777 /tmp
RUN echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'app:x:1000:1000:app:/home/app:/bin/sh' >> /etc/passwd \\
 && echo 'root:x:0:' > /etc/group && echo 'app:x:1000:' >> /etc/group && echo 'extra:x:2000:app' >> /etc/group
`;

let ctx: string;
let cache: string;
let out: string;
beforeEach(() => {
  ctx = tempTree({ busybox, "data.txt": "from the context\n" });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  cache = tempTree({}, "tsbuild-cache-");
  out = tempTree({}, "tsbuild-out-");
});
afterEach(() => rm(ctx, cache, out));

function dockerfile(text: string): void {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), text);
}

function noOverlayLeft(): void {
  const mounts = execFileSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" });
  expect(mounts.split("\n").filter((m) => m.includes(cache) || m.includes("tsbuild-run-"))).toEqual([]);
}

describe("RUN", () => {
  it("runs shell and exec form with ENV, WORKDIR and USER by name; the image runs in podman", async () => {
    dockerfile(`${base}
ENV GREETING=hello
WORKDIR /work
RUN echo "$GREETING from $(pwd)" > /work/shell.txt
RUN ["/bin/sh", "-c", "echo exec > /work/exec.txt"]
USER app
RUN id > /tmp/id.txt
CMD ["/bin/sh", "-c", "cat /work/shell.txt /work/exec.txt /tmp/id.txt"]
`);
    const archive = path.join(out, "img.tar");
    await build({
      context: ctx,
      cacheDir: cache,
      tags: ["localhost/run-test:1"],
      outputs: [{ type: "docker", dest: archive }],
    });
    noOverlayLeft();
    const podman = new PrivatePodman();
    try {
      podman.load(archive);
      const printed = podman.run("localhost/run-test:1");
      expect(printed).toContain("hello from /work\n");
      expect(printed).toContain("exec\n");
      // Written by RUN: the primary group plus the groups listing the user, as in BuildKit.
      expect(printed).toMatch(/uid=1000\(app\) gid=1000\(app\) groups=1000\(app\),2000\(extra\)/);
    } finally {
      podman.cleanup();
    }
  });

  it("deleting a file of a lower layer leaves it out of the image", async () => {
    dockerfile(`${base}
RUN mkdir -p /d/sub && echo a > /d/a && echo b > /d/sub/b
RUN rm /d/a && rm -rf /d/sub && mkdir /d/sub && echo new > /d/sub/c
`);
    await build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
    expect(fs.existsSync(path.join(out, "d/a"))).toBe(false);
    expect(fs.readdirSync(path.join(out, "d/sub"))).toEqual(["c"]);
  });

  it("the step after a RUN stacks that RUN's upper dir as it is, as BuildKit stacks its snapshot", async () => {
    dockerfile(`${base}
RUN mkdir -p /d/sub && echo a > /d/a && echo b > /d/sub/b && echo t > /d/t
RUN rm /d/a && rm -rf /d/sub && mkdir /d/sub && echo new > /d/sub/c
RUN stat -c %y /d/t > /t.mtime && ls -A /d > /d.list && ls -A /d/sub > /sub.list
`);
    await build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
    // A layer tar keeps whole seconds: re-unpacked from it, /d/t would show .000000000.
    expect(fs.readFileSync(path.join(out, "t.mtime"), "utf8")).toMatch(/:\d\d\.\d{9} /);
    expect(fs.readFileSync(path.join(out, "t.mtime"), "utf8")).not.toMatch(/\.0{9} /);
    // The second RUN's whiteout and opaque directory hide the first's files from the third.
    expect(fs.readFileSync(path.join(out, "d.list"), "utf8")).toBe("sub\nt\n");
    expect(fs.readFileSync(path.join(out, "sub.list"), "utf8")).toBe("c\n");
    noOverlayLeft();
  });

  it("a RUN that changes nothing commits an empty layer, as BuildKit does; a rebuild runs nothing", async () => {
    dockerfile(`${base}RUN true\n`);
    const first = await build({ context: ctx, cacheDir: cache });
    const noop = first.steps.find((s) => s.display === "RUN true");
    expect(noop?.layer).toBeUndefined();
    const last = first.config.history?.at(-1);
    expect(last?.created_by).toBe("RUN /bin/sh -c true # buildkit");
    expect(last?.empty_layer).toBeUndefined();
    // The diff_id of a tar holding only its end-of-archive blocks (1024 zero bytes).
    expect(first.config.rootfs.diff_ids.at(-1)).toBe(
      "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
    );
    const again = await build({ context: ctx, cacheDir: cache });
    expect(again.steps.every((s) => s.cached)).toBe(true);
  });

  it("a failing RUN fails the build with the command, exit code and output, and caches nothing of it", async () => {
    dockerfile(`${base}RUN echo about to fail && exit 3\n`);
    await expect(build({ context: ctx, cacheDir: cache })).rejects.toThrow(
      /Dockerfile:7:1: RUN echo about to fail && exit 3: .*exit code: 3[\s\S]*about to fail/,
    );
    noOverlayLeft();
    dockerfile(`${base}RUN echo fixed > /f\n`);
    const fixed = await build({ context: ctx, cacheDir: cache });
    expect(fixed.steps.filter((s) => !s.cached).map((s) => s.display)).toEqual(["RUN echo fixed > /f"]);
  });

  it("mounts: bind from the context, a cache that persists, tmpfs, and a secret kept out of the layer", async () => {
    const secretFile = path.join(out, "token");
    fs.writeFileSync(secretFile, "s3cret");
    dockerfile(`${base}
RUN --mount=type=bind,source=data.txt,target=/mnt/data.txt cp /mnt/data.txt /copied.txt
RUN --mount=type=cache,target=/cache sh -c 'echo run >> /cache/log; wc -l < /cache/log > /cache-count'
RUN --mount=type=tmpfs,target=/scratch sh -c 'echo x > /scratch/x && grep -q tmpfs /proc/mounts'
RUN --mount=type=secret,id=token sh -c 'cat /run/secrets/token | wc -c > /secret-len'
`);
    await build({
      context: ctx,
      cacheDir: cache,
      secrets: [{ id: "token", src: secretFile }],
      outputs: [{ type: "local", dest: path.join(out, "root1") }],
    });
    const root1 = path.join(out, "root1");
    expect(fs.readFileSync(path.join(root1, "copied.txt"), "utf8")).toBe("from the context\n");
    expect(fs.readFileSync(path.join(root1, "cache-count"), "utf8").trim()).toBe("1");
    expect(fs.existsSync(path.join(root1, "scratch/x"))).toBe(false);
    expect(fs.readFileSync(path.join(root1, "secret-len"), "utf8").trim()).toBe("6");
    expect(fs.existsSync(path.join(root1, "run/secrets/token"))).toBe(false);
    // The cache mount keeps its content across builds (the step reruns without the record).
    await build({
      context: ctx,
      cacheDir: cache,
      noCache: true,
      secrets: [{ id: "token", src: secretFile }],
      outputs: [{ type: "local", dest: path.join(out, "root2") }],
    });
    expect(fs.readFileSync(path.join(out, "root2", "cache-count"), "utf8").trim()).toBe("2");
    noOverlayLeft();
  });

  it("--network=none leaves only the loopback interface", async () => {
    dockerfile(`${base}RUN --network=none sh -c 'ls /sys/class/net > /ifaces'\n`);
    await build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
    expect(fs.readFileSync(path.join(out, "ifaces"), "utf8").trim().split(/\s+/)).toEqual(["lo"]);
  });

  it("an AbortSignal mid-RUN kills the step, rejects, and caches nothing of it", async () => {
    // 31 s: unique among the suites, which run in parallel (kill-build sleeps 30 s).
    dockerfile(`${base}RUN sleep 33 && echo never > /never\n`);
    const controller = new AbortController();
    const running = build({
      context: ctx,
      cacheDir: cache,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "step-start" && e.display.startsWith("RUN sleep 33"))
          setTimeout(() => controller.abort(), 500);
      },
    });
    await expect(running).rejects.toThrow(/aborted/);
    const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps.split("\n").filter((l) => /^sleep 33$/.test(l.trim()))).toEqual([]);
    noOverlayLeft();
  });
});

describe("heredocs", () => {
  it("RUN <<EOF runs the body; a #! body runs as a script; COPY <<EOF writes a file, expanded only when unquoted", async () => {
    dockerfile(`${base}ARG NAME=world
RUN <<EOF
echo "hello $NAME" > /from-shell
echo second line >> /from-shell
EOF
RUN <<'EOF'
#!/bin/sh
echo "script as $0" > /from-script
EOF
COPY <<EOF /etc/greeting
hi \${NAME}
EOF
COPY <<'EOF' /etc/raw
hi \${NAME}
EOF
`);
    await build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
    expect(fs.readFileSync(path.join(out, "from-shell"), "utf8")).toBe("hello world\nsecond line\n");
    expect(fs.readFileSync(path.join(out, "from-script"), "utf8")).toMatch(/^script as \//);
    expect(fs.readFileSync(path.join(out, "etc/greeting"), "utf8")).toBe("hi world\n");
    expect(fs.readFileSync(path.join(out, "etc/raw"), "utf8")).toBe("hi ${NAME}\n");
    expect(fs.existsSync(path.join(out, "dev/pipes"))).toBe(false);
  });
});

describe("review regressions", () => {
  it("a bind mount of the context shows only what .dockerignore lets through, and keys on it", async () => {
    fs.writeFileSync(path.join(ctx, ".dockerignore"), "secret.env\n");
    fs.writeFileSync(path.join(ctx, "secret.env"), "TOKEN=1\n");
    dockerfile(
      `${base}RUN --mount=type=bind,target=/src sh -c 'ls /src > /listing; cat /src/data.txt > /data'\n`,
    );
    await build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
    const listing = fs.readFileSync(path.join(out, "listing"), "utf8").split("\n");
    expect(listing).toContain("data.txt");
    expect(listing).not.toContain("secret.env");
    expect(fs.readFileSync(path.join(out, "data"), "utf8")).toBe("from the context\n");
  });

  it("a failing stage cancels a sibling stage that is still running", async () => {
    dockerfile(
      `${base}FROM base AS slow\nRUN sleep 120\nFROM base AS bad\nRUN false\nFROM base\nCOPY --from=slow /bin/busybox /a\nCOPY --from=bad /bin/busybox /b\n`,
    );
    const started = Date.now();
    await expect(build({ context: ctx, cacheDir: cache })).rejects.toThrow(/RUN false.*exit code: 1/);
    // Far less than the sibling's 120 s, whatever the machine's load.
    expect(Date.now() - started).toBeLessThan(60_000);
    noOverlayLeft();
  });

  it("SOURCE_DATE_EPOCH is part of what a cached step is recorded under", async () => {
    dockerfile(`${base}RUN echo x > /x\n`);
    await build({ context: ctx, cacheDir: cache });
    const pinned = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: 0 });
    expect(pinned.steps.some((s) => !s.cached)).toBe(true);
    const fresh = tempTree({}, "tsbuild-cache-");
    try {
      const cold = await build({ context: ctx, cacheDir: fresh, sourceDateEpoch: 0 });
      expect(cold.digest).toBe(pinned.digest);
    } finally {
      rm(fresh);
    }
  });
});
