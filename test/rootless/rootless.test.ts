/**
 * Rootless builds, run for real as an unprivileged user the test creates: the same e2e build as
 * root gives the same layer digests, the image runs in podman, RUN is contained the same way,
 * the in-process API works, a user without subordinate ids gets a clear error, and kill -9
 * leaves nothing behind.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PrivatePodman } from "../support/podman";
import {
  ensureUser,
  installCopy,
  ownedDir,
  readableTree,
  removeAsRoot,
  runAs,
  spawnAs,
  type TestUser,
} from "../support/rootless";

const busybox = fs.readFileSync("/bin/busybox");
const base = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN printf 'root:x:0:0:root:/root:/bin/sh\\napp:x:1000:1000:app:/home/app:/bin/sh\\n' > /etc/passwd \\
 && printf 'root:x:0:\\napp:x:1000:\\nextra:x:2000:app\\n' > /etc/group && mkdir -m 1777 /tmp
`;

let app: string;
let user: TestUser;
let cli: string;
const cleanup: string[] = [];
beforeAll(() => {
  app = installCopy();
  cli = path.join(app, "dist/cli/main.js");
  user = ensureUser("tsbuild-rootless", { start: 300000, count: 65536 });
}, 120_000);
afterAll(() => {
  removeAsRoot(app, ...cleanup, path.join(user.home, ".cache/tsbuild"));
});

function ctx(dockerfile: string, files: Record<string, string | Buffer> = {}): string {
  const dir = readableTree({ Dockerfile: dockerfile, busybox, ...files });
  fs.chmodSync(path.join(dir, "busybox"), 0o755);
  cleanup.push(dir);
  return dir;
}

function buildAsUser(context: string, args: string[], env: Record<string, string> = {}) {
  return runAs(user, [process.execPath, cli, "build", "--progress", "plain", ...args, context], { env });
}

/** Layer digests of an OCI archive, base first. */
function layerDigests(archive: string): string[] {
  const read = (name: string): string => execFileSync("tar", ["-xOf", archive, name], { encoding: "utf8" });
  const index = JSON.parse(read("index.json")) as { manifests: Array<{ digest: string }> };
  const digest = index.manifests[0].digest.replace(":", "/");
  const manifest = JSON.parse(read(`blobs/${digest}`)) as { layers: Array<{ digest: string }> };
  return manifest.layers.map((l) => l.digest);
}

const e2e = `${base}
USER app
WORKDIR /home/app/work
ENV GREETING=hello
RUN echo "$GREETING from $(pwd) as $(id -u):$(id -g) groups $(id -G)" > hello.txt
RUN --mount=type=cache,target=/home/app/.cache,uid=1000,gid=1000 sh -c 'echo x >> /home/app/.cache/log; ls -ln /home/app/.cache | wc -l > cache.txt'
RUN --mount=type=bind,source=data.txt,target=/mnt/data.txt cp /mnt/data.txt copied.txt
RUN --mount=type=tmpfs,target=/scratch sh -c 'echo t > /scratch/t && grep -c " /scratch tmpfs" /proc/mounts > tmpfs.txt'
RUN --mount=type=secret,id=token,uid=1000 sh -c 'wc -c < /run/secrets/token > secret-len.txt'
USER root
RUN chown -R 1234:5678 /home/app/work/copied.txt && touch -d @1700000000 /home/app/work/*
CMD ["/bin/sh", "-c", "cat /home/app/work/hello.txt"]
`;

test("the same Dockerfile as root and as the user: same layer digests; the image runs in podman", () => {
  const context = ctx(e2e, { "data.txt": "from the context\n", token: "s3cret" });
  const out = ownedDir(user);
  cleanup.push(out);
  const env = { SOURCE_DATE_EPOCH: "1700000000" };
  const rootCache = fs.mkdtempSync("/tmp/tsbuild-rl-rootcache-");
  cleanup.push(rootCache);
  const rootArchive = path.join(out, "root.tar");
  const asRoot = execFileSync(
    process.execPath,
    [
      cli,
      "build",
      "--progress",
      "plain",
      "--cache-dir",
      rootCache,
      "--secret",
      `id=token,src=${path.join(context, "token")}`,
      "-o",
      `type=oci,dest=${rootArchive}`,
      context,
    ],
    { env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  expect(asRoot).toBe("");
  const userArchive = path.join(out, "user.tar");
  const r = buildAsUser(
    context,
    ["--secret", `id=token,src=${path.join(context, "token")}`, "-o", `type=oci,dest=${userArchive}`],
    env,
  );
  expect(r.status).toBe(0);
  expect(layerDigests(userArchive)).toEqual(layerDigests(rootArchive));
  // The copying snapshotter (kernels without overlayfs in a user namespace) gives the same layers.
  const copyArchive = path.join(out, "copy.tar");
  const c = buildAsUser(
    context,
    [
      "--no-cache",
      "--secret",
      `id=token,src=${path.join(context, "token")}`,
      "-o",
      `type=oci,dest=${copyArchive}`,
    ],
    { ...env, TSBUILD_SNAPSHOTTER: "copy" },
  );
  expect(c.stderr).not.toMatch(/error/i);
  expect(c.status).toBe(0);
  expect(layerDigests(copyArchive)).toEqual(layerDigests(rootArchive));
  // The cache lives in the user's XDG cache dir, owned by the user.
  expect(fs.statSync(path.join(user.home, ".cache/tsbuild")).uid).toBe(user.uid);

  const podman = new PrivatePodman();
  try {
    const loaded = /Loaded image(?:\(s\))?: (\S+)|([0-9a-f]{64})/.exec(podman.load(userArchive));
    const image = loaded?.[1] ?? loaded?.[2];
    expect(image).toBeDefined();
    expect(podman.run(image as string)).toBe("hello from /home/app/work as 1000:1000 groups 1000 2000\n");
  } finally {
    podman.cleanup();
  }
}, 600_000);

test("RUN is contained as rootless too", () => {
  const escape = path.join(path.dirname(cli), "..", "escape");
  const src = `${escape}.c`;
  fs.writeFileSync(
    src,
    `#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
  mkdir("x", 0755); chroot("x");
  for (int i = 0; i < 64; i++) chdir("..");
  chroot(".");
  FILE *f = fopen(argv[1], "w"); if (!f) return 3; fputs("escaped\\n", f); fclose(f); return 0;
}
`,
  );
  const sentinel = `/tmp/tsbuild-rl-escape-${process.pid}`;
  const context = ctx(
    `${base}
COPY escape /bin/escape
RUN cd /tmp && /bin/escape ${sentinel}; \\
    grep -E '^(CapEff|Seccomp):' /proc/self/status > /status.txt; \\
    (echo x > /proc/sys/kernel/core_pattern) 2>/dev/null; echo procsys=$? >> /status.txt; \\
    mkdir -p /m; mount -t tmpfs t /m 2>/dev/null; echo mount=$? >> /status.txt; \\
    mknod /tmp/d b 8 0 2>/dev/null; echo mknod=$? >> /status.txt; true
`,
    { escape: "" },
  );
  execFileSync("cc", ["-static", "-O1", "-o", path.join(context, "escape"), src]);
  fs.chmodSync(path.join(context, "escape"), 0o755);
  const out = ownedDir(user);
  cleanup.push(out);
  const r = buildAsUser(context, ["-o", `type=local,dest=${out}`]);
  expect(r.stderr).not.toMatch(/error/);
  expect(r.status).toBe(0);
  expect(fs.existsSync(sentinel)).toBe(false);
  const status = fs.readFileSync(path.join(out, "status.txt"), "utf8");
  expect(status).toContain("CapEff:\t00000000a80425fb");
  expect(status).toContain("Seccomp:\t2");
  for (const k of ["procsys", "mount", "mknod"]) expect(status).toMatch(new RegExp(`${k}=[1-9]`));
  // What the escape wrote stayed in the container's filesystem.
  expect(fs.readFileSync(path.join(out, sentinel), "utf8")).toBe("escaped\n");
}, 300_000);

test("a fork bomb is stopped by the process limit and the build fails cleanly", () => {
  const context = ctx(`${base}RUN i=0; while [ $i -lt 400 ]; do sleep 31 & i=$((i+1)); done; wait; exit 1\n`);
  const r = buildAsUser(context, ["--pids-limit", "64"]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/can't fork|Resource temporarily unavailable/i);
  const left = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.trim() === "sleep 31");
  expect(left).toEqual([]);
}, 300_000);

test("the in-process API builds as the user (the engine runs in a user namespace)", () => {
  const context = ctx(`${base}RUN echo api > /api.txt\n`);
  const out = ownedDir(user);
  cleanup.push(out);
  const script = `
    const { build } = require(${JSON.stringify(path.join(app, "dist/index.js"))});
    const events = [];
    build({ context: ${JSON.stringify(context)}, outputs: [{ type: "local", dest: ${JSON.stringify(out)} }],
            onEvent: (e) => events.push(e.type) })
      .then((r) => console.log(JSON.stringify({ ok: true, steps: r.steps.length, done: events.includes("done") })),
            (e) => console.log(JSON.stringify({ ok: false, name: e.name, message: e.message })));
  `;
  const r = runAs(user, [process.execPath, "-e", script]);
  expect(JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}")).toEqual({ ok: true, steps: 4, done: true });
  expect(fs.readFileSync(path.join(out, "api.txt"), "utf8")).toBe("api\n");
  // A failed step comes back as the same typed error as in process.
  const failing = ctx(`${base}RUN exit 7\n`);
  const r2 = runAs(user, [
    process.execPath,
    "-e",
    script.replace(JSON.stringify(context), JSON.stringify(failing)),
  ]);
  const err = JSON.parse(r2.stdout.trim().split("\n").pop() ?? "{}") as { name: string; message: string };
  expect(err.name).toBe("StepFailedError");
  expect(err.message).toMatch(/Dockerfile:6:1: RUN exit 7: .*exit code: 7/);
}, 300_000);

test("without subordinate ids: a single-ID namespace; a non-root USER is a clear error", () => {
  const lone = ensureUser("tsbuild-rootless-lone", null);
  const context = ctx(`${base}RUN echo root-only > /r.txt\nUSER app\nRUN id\n`);
  const r = runAs(lone, [process.execPath, cli, "build", "--progress", "plain", context]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(
    /Dockerfile:8:1: RUN id: .*uid 1000, gid 1000.* not mapped .*usermod --add-subuids/,
  );
  expect(r.stderr).not.toMatch(/\n\s+at /);
  removeAsRoot(path.join(lone.home, ".cache/tsbuild"));
}, 300_000);

test("kill -9 of a rootless build mid-RUN leaves no process and the next build succeeds", async () => {
  const context = ctx(`${base}RUN sleep 301\n`);
  const child = spawnAs(user, [process.execPath, cli, "build", "--progress", "plain", context]);
  const deadline = Date.now() + 120_000;
  const sleeping = (): string[] =>
    execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.trim() === "sleep 301");
  while (sleeping().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(sleeping()).toHaveLength(1);
  child.kill("SIGKILL");
  const gone = Date.now() + 20_000;
  while (sleeping().length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
  expect(sleeping()).toEqual([]);
  const mounts = execFileSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" });
  expect(mounts.split("\n").filter((m) => m.includes("tsbuild-run-"))).toEqual([]);
  const again = buildAsUser(ctx(`${base}RUN echo after\n`), []);
  expect(again.status).toBe(0);
}, 300_000);
