import * as fs from "node:fs";
import * as path from "node:path";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { startRegistry, type TestRegistry } from "../support/registry";
import { buildPlain, cli, expectOk, rm, tempDir, tempTree, type CliOutput } from "./helpers";

/**
 * buildx flags end to end through the CLI (in-process): RUN steps on a busybox image built in
 * the test, results read back from `-o type=local` / OCI layouts.
 */
afterAll(() => closeDeflatePool());

const BASE = 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n';
let ctx: string;
let cache: string;
let out: string;
beforeEach(() => {
  ctx = tempTree({ busybox: fs.readFileSync("/bin/busybox") });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  cache = tempDir("tsbuild-cli-cache-");
  out = tempDir("tsbuild-cli-out-");
});
afterEach(() => rm(ctx, cache, out));

async function buildHere(dockerfile: string, ...flags: string[]): Promise<CliOutput> {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), dockerfile);
  return buildPlain(cache, ...flags, ctx);
}

/** buildHere with `-o type=local,dest=out`; fails with its stderr unless it succeeded. */
async function buildOut(dockerfile: string, ...flags: string[]): Promise<CliOutput> {
  const r = await buildHere(dockerfile, ...flags, "-o", `type=local,dest=${out}`);
  expectOk(r);
  return r;
}

const read = (rel: string): string => fs.readFileSync(path.join(out, rel), "utf8");

test("--add-host lines are in RUN's /etc/hosts; --shm-size sizes /dev/shm", async () => {
  await buildOut(
    `${BASE}RUN cat /etc/hosts > /hosts && df -k /dev/shm | tail -n 1 > /shm\n`,
    "--add-host",
    "registry.example:10.1.2.3",
    "--add-host",
    "v6.example=[fd00::1]",
    "--shm-size",
    "96m",
  );
  expect(read("hosts")).toContain("10.1.2.3\tregistry.example\n");
  expect(read("hosts")).toContain("fd00::1\tv6.example\n");
  // df -k: "shm <1K-blocks> ..." — 96 MiB is 98304 KiB.
  expect(read("shm").split(/\s+/)[1]).toBe("98304");
});

test("--add-host and --network are part of RUN's cache key: other values rerun it, the same ones hit", async () => {
  const dockerfile = `${BASE}RUN cat /etc/hosts > /hosts\n`;
  const runCached = (r: CliOutput): boolean =>
    /#(\d+) \[0 3\/3\] RUN cat \/etc\/hosts[^\n]*\n#\1 CACHED/.test(r.stderr);
  await buildOut(dockerfile, "--add-host", "svc.example:10.0.0.1");
  expect(read("hosts")).toContain("10.0.0.1\tsvc.example\n");
  const same = await buildHere(dockerfile, "--add-host", "svc.example:10.0.0.1");
  expectOk(same);
  expect(runCached(same)).toBe(true);
  rm(out);
  const other = await buildOut(dockerfile, "--add-host", "svc.example:10.0.0.2");
  expect(runCached(other)).toBe(false);
  expect(read("hosts")).toContain("10.0.0.2\tsvc.example\n");
  expect(read("hosts")).not.toContain("10.0.0.1");
  // --network none runs the step in a mode the cached ones did not have: it runs again.
  const none = await buildHere(dockerfile, "--add-host", "svc.example:10.0.0.2", "--network", "none");
  expectOk(none);
  expect(runCached(none)).toBe(false);
  const noneAgain = await buildHere(dockerfile, "--add-host", "svc.example:10.0.0.2", "--network", "none");
  expect(runCached(noneAgain)).toBe(true);
});

test("--add-host and --shm-size values are checked: exit 2 naming the flag", async () => {
  for (const [flag, value, message] of [
    ["--add-host", "nocolon", /--add-host: "nocolon" is not host:ip/],
    ["--add-host", "h:999.1.1.1", /is not an IP address/],
    ["--shm-size", "lots", /--shm-size: "lots" is not a size/],
    ["--network", "bridge", /--network: "bridge" is not default, none or host/],
  ] as const) {
    const r = await buildHere(BASE, flag, value);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  }
});

test("--network none leaves RUN only lo; default and host (with --allow) see the host's interfaces", async () => {
  const df = `${BASE}RUN cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | sort > /ifaces\n`;
  await buildOut(df, "--network", "none");
  expect(read("ifaces")).toBe("lo\n");
  // Default: the host's network (more than lo on this machine). Other suites running at the same
  // time may add and remove interfaces (podman's bridge and veths, say), so the RUN's list is checked
  // against the host's before and after the build: every interface present throughout, and
  // nothing the host never had.
  const hostIfaces = (): string[] =>
    fs
      .readFileSync("/proc/net/dev", "utf8")
      .split("\n")
      .slice(2)
      .filter((l) => l.includes(":"))
      .map((l) => l.split(":")[0].trim());
  const seesHostNetwork = async (...flags: string[]): Promise<void> => {
    rm(out);
    const before = hostIfaces();
    await buildOut(df, "--no-cache", ...flags);
    const after = hostIfaces();
    const seen = read("ifaces").trim().split("\n");
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual(expect.arrayContaining(before.filter((i) => after.includes(i))));
    for (const i of seen) expect([...before, ...after]).toContain(i);
  };
  await seesHostNetwork();

  const denied = await buildHere(df, "--network", "host");
  expect(denied.status).toBe(1);
  expect(denied.stderr).toContain(
    "--network host needs the network.host entitlement: build with --allow network.host",
  );
  await seesHostNetwork("--network", "host", "--allow", "network.host");
});

test("--secret id=X reads the variable X (else the file X); RUN --mount=type=secret,env= sets a variable", async () => {
  const prior = process.env.TSB_TEST_TOKEN;
  const cwd = process.cwd();
  process.env.TSB_TEST_TOKEN = "from-env";
  fs.writeFileSync(path.join(ctx, "filetoken"), "from-file");
  process.chdir(ctx);
  try {
    await buildOut(
      `${BASE}RUN --mount=type=secret,id=TSB_TEST_TOKEN cat /run/secrets/TSB_TEST_TOKEN > /a\n` +
        `RUN --mount=type=secret,id=filetoken cat /run/secrets/filetoken > /b\n` +
        // env= without target: only the variable (BuildKit), no file under /run/secrets.
        `RUN --mount=type=secret,id=other,env=MY_TOKEN echo "$MY_TOKEN" > /c && ls /run/secrets > /c-files 2>&1 || true\n` +
        `RUN --mount=type=secret,id=other,env=MY_TOKEN,target=/tok cat /tok > /d && echo "$MY_TOKEN" >> /d\n`,
      "--secret",
      "id=TSB_TEST_TOKEN",
      "--secret",
      "id=filetoken",
      "--secret",
      "id=other,env=TSB_TEST_TOKEN",
    );
  } finally {
    process.chdir(cwd);
    if (prior === undefined) delete process.env.TSB_TEST_TOKEN;
    else process.env.TSB_TEST_TOKEN = prior;
  }
  expect(read("a")).toBe("from-env");
  expect(read("b")).toBe("from-file");
  expect(read("c")).toBe("from-env\n");
  expect(read("c-files")).not.toContain("other");
  expect(read("d")).toBe("from-envfrom-env\n");
});

test("--secret id=X with neither a variable nor a file X is a usage error", async () => {
  const r = await buildHere(BASE, "--secret", "id=NO_SUCH_SECRET_ANYWHERE");
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(
    "--secret id=NO_SUCH_SECRET_ANYWHERE: cannot read src NO_SUCH_SECRET_ANYWHERE (and no environment variable NO_SUCH_SECRET_ANYWHERE is set)",
  );
});

describe("--build-context", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry.stop());

  test("a directory: FROM name and COPY --from=name read its files; unchanged files stay cached", async () => {
    const lib = tempTree({
      "lib/a.txt": "from the named dir\n",
      ".dockerignore": "secret.txt\n",
      "secret.txt": "no",
    });
    try {
      await buildOut(
        `${BASE}COPY --from=mylib /lib/a.txt /copied.txt\nRUN ls / > /root-list\n`,
        "--build-context",
        `mylib=${lib}`,
      );
      expect(read("copied.txt")).toBe("from the named dir\n");
      rm(out);
      await buildOut("FROM mylib\n", "--build-context", `mylib=${lib}`);
      expect(read("lib/a.txt")).toBe("from the named dir\n");
      // The named context's own .dockerignore applies.
      expect(fs.existsSync(path.join(out, "secret.txt"))).toBe(false);
      // A touch changes no key: the COPY stays cached.
      fs.utimesSync(path.join(lib, "lib/a.txt"), new Date(), new Date(Date.now() + 5000));
      const again = await buildHere(
        `${BASE}COPY --from=mylib /lib/a.txt /copied.txt\nRUN ls / > /root-list\n`,
        "--build-context",
        `mylib=${lib}`,
      );
      expectOk(again);
      expect(again.stderr).toMatch(/4\/4 steps cached/);
    } finally {
      rm(lib);
    }
  });

  test("docker-image://REF from the local registry replaces FROM name", async () => {
    const ref = `${registry.host}/tsbuild/ctx-base:1`;
    expectOk(await buildHere(`${BASE}RUN echo pushed > /marker\n`, "-t", ref, "--push"));
    // A fresh cache: the image can only come from the registry.
    const fresh = tempDir("tsbuild-cli-cache-");
    try {
      fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM alias\nRUN cat /marker > /seen\n");
      const r = await buildPlain(
        fresh,
        "--build-context",
        `alias=docker-image://${ref}`,
        "-o",
        `type=local,dest=${out}`,
        ctx,
      );
      expectOk(r);
      expect(read("seen")).toBe("pushed\n");
    } finally {
      rm(fresh);
    }
  });

  test("a named context replaces the stage of that name: FROM name and COPY --from=name read it, the stage is not built", async () => {
    const ref = `${registry.host}/tsbuild/ctx-stage:1`;
    expectOk(await buildHere(`${BASE}RUN echo from-context > /marker\n`, "-t", ref, "--push"));
    const lib = tempTree({ "lib/a.txt": "from the named dir\n" });
    // Both replaced stages would fail if built: an image no registry has, and RUN exit 1.
    const missing = `${registry.host}/tsbuild/not-pushed:1`;
    const dockerfile =
      `FROM ${missing} AS base\nRUN exit 1\n` +
      `FROM ${missing} AS alpine\nRUN exit 1\n` +
      `FROM base\nCOPY --from=alpine /lib/a.txt /copied.txt\nRUN cat /marker > /seen\n`;
    const fresh = tempDir("tsbuild-cli-cache-");
    try {
      fs.writeFileSync(path.join(ctx, "Dockerfile"), dockerfile);
      const r = await buildPlain(
        fresh,
        "--build-context",
        `base=docker-image://${ref}`,
        "--build-context",
        `alpine=${lib}`,
        "-o",
        `type=local,dest=${out}`,
        ctx,
      );
      expectOk(r);
      expect(read("seen")).toBe("from-context\n");
      expect(read("copied.txt")).toBe("from the named dir\n");
      expect(r.stderr).not.toContain("RUN exit 1");
      expect(r.stderr).not.toContain("not-pushed");
      // The FROM row names the context's image, pinned to its digest.
      expect(r.stderr).toMatch(new RegExp(`#\\d+ FROM ${ref}@sha256:[a-f0-9]{64}\n`));
      // Without the contexts the same Dockerfile builds the stages, and fails on the missing image.
      const without = await buildPlain(fresh, ctx);
      expect(without.status).not.toBe(0);
      expect(without.stderr).toContain("not-pushed");
    } finally {
      rm(fresh, lib);
    }
  });

  test("oci-layout://PATH[:TAG] imports the layout's image for FROM and COPY --from", async () => {
    const layout = path.join(out, "layout");
    expectOk(
      await buildHere(
        `${BASE}RUN echo in-layout > /marker\n`,
        "-t",
        "layout-img:v2",
        "-o",
        `type=oci,dest=${layout},tar=false`,
      ),
    );
    const fresh = tempDir("tsbuild-cli-cache-");
    const dest = path.join(out, "result");
    try {
      fs.writeFileSync(
        path.join(ctx, "Dockerfile"),
        "FROM base\nCOPY --from=other /marker /copied\nRUN cat /marker /copied > /seen\n",
      );
      const r = await buildPlain(
        fresh,
        "--build-context",
        `base=oci-layout://${layout}:v2`,
        "--build-context",
        `other=oci-layout://${layout}`,
        "-o",
        `type=local,dest=${dest}`,
        ctx,
      );
      expectOk(r);
      expect(fs.readFileSync(path.join(dest, "seen"), "utf8")).toBe("in-layout\nin-layout\n");
      const missing = await cli(
        "build",
        "--cache-dir",
        fresh,
        "--build-context",
        `base=oci-layout://${layout}:nosuchtag`,
        ctx,
      );
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("no image nosuchtag in index.json");
    } finally {
      rm(fresh);
    }
  });

  test("bad values are usage errors", async () => {
    for (const [value, message] of [
      ["novalue", /is not NAME=SOURCE/],
      ["x=https://example.com/repo.git", /is not supported/],
      [`x=${path.join(ctx, "nope")}`, /not a directory/],
      [`x=oci-layout://${ctx}`, /is not an OCI layout/],
      ["Bad Name=.", /not a valid context name/],
    ] as const) {
      const r = await buildHere(BASE, "--build-context", value);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
