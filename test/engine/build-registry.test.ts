import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import { startRegistry, type TestRegistry } from "../support/registry";
import { rm, tempTree } from "./helpers";

/**
 * Builds that meet a real registry (docker-registry on 127.0.0.1): a busybox base built by
 * tsbuild is pushed, then `FROM 127.0.0.1:PORT/busybox` builds pull it, run RUN steps on it, and
 * push the result, which skopeo reads back with the same digest.
 */
let registry: TestRegistry;
let ctx: string;
let cache: string;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry.stop();
});
beforeEach(() => {
  ctx = tempTree({ busybox: fs.readFileSync("/bin/busybox") });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  cache = tempTree({}, "tsbuild-cache-");
});
afterEach(() => rm(ctx, cache));

function skopeoDigest(ref: string): string {
  const out = execFileSync("skopeo", ["inspect", "--tls-verify=false", `docker://${ref}`], {
    encoding: "utf8",
  });
  return (JSON.parse(out) as { Digest: string }).Digest;
}

it("pushes a base, builds FROM it with RUN in a fresh cache, pushes the result", async () => {
  const baseRef = `${registry.host}/tsbuild/busybox:1`;
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
  );
  const base = await build({
    context: ctx,
    cacheDir: cache,
    tags: [baseRef],
    outputs: [{ type: "registry" }],
  });
  expect(skopeoDigest(baseRef)).toBe(base.digest);

  // A second cache dir: the base can only come from the registry.
  const fresh = tempTree({}, "tsbuild-cache-");
  try {
    const appRef = `${registry.host}/tsbuild/app:1`;
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      `FROM ${baseRef}\nRUN echo built on the pulled base > /proof\nCMD ["cat", "/proof"]\n`,
    );
    const app = await build({
      context: ctx,
      cacheDir: fresh,
      tags: [appRef],
      outputs: [{ type: "registry" }],
    });
    expect(app.config.rootfs.diff_ids.slice(0, 2)).toEqual(base.config.rootfs.diff_ids);
    expect(app.config.rootfs.diff_ids).toHaveLength(3);
    expect(skopeoDigest(appRef)).toBe(app.digest);

    // Rebuilding needs nothing new from the registry and runs nothing.
    const again = await build({ context: ctx, cacheDir: fresh, tags: [appRef] });
    expect(again.steps.every((s) => s.cached)).toBe(true);
  } finally {
    rm(fresh);
  }
});

it("an image that is nowhere is a typed error naming it", async () => {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), `FROM ${registry.host}/nope/missing:1\n`);
  await expect(build({ context: ctx, cacheDir: cache })).rejects.toThrow(/nope\/missing/);
});

it("tsbuild push sends a stored image", async () => {
  const { runCli } = await import("../../src/cli/run-cli");
  const ref = `${registry.host}/tsbuild/pushed:1`;
  fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n");
  const built = await build({ context: ctx, cacheDir: cache, tags: [ref] });
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  };
  try {
    expect(await runCli(["push", "--cache-dir", cache, ref])).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  // The store keeps the layers uncompressed; the push gzips them: same config, another manifest.
  const printed = /digest: (sha256:[a-f0-9]{64})/.exec(out.join(""))?.[1];
  expect(printed).toBeDefined();
  expect(skopeoDigest(ref)).toBe(printed);
  const raw = JSON.parse(
    execFileSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`], {
      encoding: "utf8",
    }),
  ) as { config: { digest: string }; layers: Array<{ mediaType: string }> };
  expect(raw.config.digest).toBe(built.configDigest);
  expect(raw.layers.map((l) => l.mediaType)).toEqual(["application/vnd.oci.image.layer.v1.tar+gzip"]);
  expect(built.manifest.layers.map((l) => l.mediaType)).toEqual(["application/vnd.oci.image.layer.v1.tar"]);
});

it("--cache-to type=registry then --cache-from type=registry on an empty cache: everything is cached", async () => {
  const cacheRef = `${registry.host}/tsbuild/cache:main`;
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nRUN echo hi > /hi\n',
  );
  const first = await build({
    context: ctx,
    cacheDir: cache,
    sourceDateEpoch: 1700000000,
    cacheTo: [{ type: "registry", ref: cacheRef }],
  });
  const empty = tempTree({}, "tsbuild-cache-");
  const other = tempTree({}, "tsbuild-cache-");
  try {
    const second = await build({
      context: ctx,
      cacheDir: empty,
      sourceDateEpoch: 1700000000,
      cacheFrom: [{ type: "registry", ref: cacheRef }],
    });
    expect(second.steps.map((s) => s.cached)).toEqual([true, true, true]);
    expect(second.digest).toBe(first.digest);
    // A cache ref that does not exist yet is a cold build, not an error.
    const cold = await build({
      context: ctx,
      cacheDir: other,
      cacheFrom: [{ type: "registry", ref: `${registry.host}/tsbuild/cache:none` }],
    });
    expect(cold.steps.some((s) => !s.cached)).toBe(true);
  } finally {
    rm(empty, other);
  }
});

it("a tag pulled before is used as it was (no request); --pull asks the registry again", async () => {
  const baseRef = `${registry.host}/tsbuild/moving:1`;
  const pushBase = async (label: string): Promise<string> => {
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      `FROM scratch\nCOPY busybox /bin/busybox\nLABEL v=${label}\n`,
    );
    return (await build({ context: ctx, cacheDir: cache, tags: [baseRef], outputs: [{ type: "registry" }] }))
      .digest;
  };
  const first = await pushBase("1");
  const fresh = tempTree({}, "tsbuild-cache-");
  try {
    const app = tempTree({ Dockerfile: `FROM ${baseRef}\nLABEL app=yes\n` });
    try {
      const labels = async (pull: boolean): Promise<Record<string, string> | undefined> =>
        (await build({ context: app, cacheDir: fresh, pull })).config.config.Labels;
      expect(await labels(false)).toEqual({ v: "1", app: "yes" });
      // The tag moves on in the registry: docker build keeps what it pulled, as does tsbuild.
      expect(await pushBase("2")).not.toBe(first);
      expect(await labels(false)).toEqual({ v: "1", app: "yes" });
      expect(await labels(true)).toEqual({ v: "2", app: "yes" });
      // What --pull found is what the tag means locally from then on.
      expect(await labels(false)).toEqual({ v: "2", app: "yes" });
    } finally {
      rm(app);
    }
  } finally {
    rm(fresh);
  }
});
