import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import {
  parseAllow,
  parseIsolation,
  parsePidsLimit,
  parseRuntime,
  parseUlimits,
} from "../../src/cli/run-flags";
import { rm, tempTree } from "./helpers";

/** BuildKit's entitlements: RUN --network=host and --security=insecure only when allowed. */
const busybox = fs.readFileSync("/bin/busybox");
let ctx: string;
let cache: string;
let out: string;
beforeEach(() => {
  ctx = tempTree({ busybox });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  cache = tempTree({}, "tsbuild-cache-");
  out = tempTree({}, "tsbuild-out-");
});
afterEach(() => rm(ctx, cache, out));

const base = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
`;

test("RUN --network=host needs --allow network.host: a located error names the flag", async () => {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), `${base}RUN --network=host ip link > /links.txt\n`);
  await expect(build({ context: ctx, cacheDir: cache })).rejects.toThrow(
    /Dockerfile:4:1: RUN --network=host needs the network\.host entitlement: build with --allow network\.host/,
  );
  await build({
    context: ctx,
    cacheDir: cache,
    allow: ["network.host"],
    outputs: [{ type: "local", dest: out }],
  });
  // The host's interfaces, not a fresh namespace's lone lo.
  expect(
    fs
      .readFileSync(path.join(out, "links.txt"), "utf8")
      .split("\n")
      .filter((l) => /^\d+:/.test(l)).length,
  ).toBeGreaterThan(1);
});

test("RUN --security=insecure needs --allow security.insecure, and then has every capability", async () => {
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    `${base}RUN --security=insecure grep -E '^(CapEff|Seccomp):' /proc/self/status > /status.txt\n`,
  );
  await expect(build({ context: ctx, cacheDir: cache })).rejects.toThrow(/--allow security\.insecure/);
  await build({
    context: ctx,
    cacheDir: cache,
    allow: ["security.insecure"],
    outputs: [{ type: "local", dest: out }],
  });
  const status = fs.readFileSync(path.join(out, "status.txt"), "utf8");
  expect(status).toContain("Seccomp:\t0");
  const own = /^CapBnd:\s*(\S+)$/m.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1];
  expect(status).toContain(`CapEff:\t${own}`);
});

test("--pids-limit reaches the container", async () => {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), `${base}RUN cat /sys/fs/cgroup/pids/pids.max > /max.txt\n`);
  await build({ context: ctx, cacheDir: cache, pidsLimit: 123, outputs: [{ type: "local", dest: out }] });
  expect(fs.readFileSync(path.join(out, "max.txt"), "utf8")).toBe("123\n");
});

describe("run flags", () => {
  test("valid values", () => {
    expect(parseAllow(["network.host,security.insecure"])).toEqual(["network.host", "security.insecure"]);
    expect(parseUlimits(["nofile=1024:2048", "nproc=10"])).toEqual([
      { type: "RLIMIT_NOFILE", soft: 1024, hard: 2048 },
      { type: "RLIMIT_NPROC", soft: 10, hard: 10 },
    ]);
    expect(parsePidsLimit("0")).toBe(0);
    expect(parseRuntime("crun")).toBe("crun");
    expect(parseIsolation(undefined)).toBe("auto");
  });

  test.each([
    [() => parseAllow(["network.hots"]), /--allow: unknown entitlement "network.hots"/],
    [() => parseUlimits(["nofile=10:5"]), /--ulimit nofile=10:5: the soft limit is above the hard limit/],
    [() => parseUlimits(["files=1"]), /--ulimit: unknown limit "files"/],
    [() => parsePidsLimit("-1"), /--pids-limit: "-1" is not a whole number/],
    [() => parseRuntime("kata"), /--runtime: "kata" is not runc, crun or auto/],
    [() => parseIsolation("chroot"), /--isolation: "chroot" is not auto, root or rootless/],
  ])("usage error %#", (fn, message) => {
    expect(fn).toThrow(expect.objectContaining({ code: "USAGE", message: expect.stringMatching(message) }));
  });
});
