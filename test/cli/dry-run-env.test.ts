import * as fs from "node:fs";
import * as path from "node:path";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { bin, cli, ensureDist, rm, tempDir, tempTree } from "./helpers";

// One compile of dist/ for the tests of the binary below (ensureDist is slow on a busy machine).
beforeAll(() => ensureDist(), 600_000);
afterAll(() => closeDeflatePool());

describe("--dry-run", () => {
  let ctx: string;
  let cache: string;
  let out: string;
  beforeEach(() => {
    ctx = tempTree({
      "a.txt": "a\n",
      "b.txt": "b\n",
      Dockerfile:
        "FROM scratch AS one\nCOPY a.txt /a\nENV X=1\nFROM scratch AS two\nCOPY b.txt /b\nCOPY --from=one /a /a\n",
    });
    cache = tempDir("tsbuild-cli-cache-");
    out = tempDir("tsbuild-cli-out-");
  });
  afterEach(() => rm(ctx, cache, out));

  const records = (): string[] =>
    fs.existsSync(path.join(cache, "records"))
      ? fs.readdirSync(path.join(cache, "records"), { recursive: true }).map(String).sort()
      : [];

  test("prints stages, steps, short keys and what the cache holds; runs and writes nothing", async () => {
    const dest = path.join(out, "never.tar");
    const first = await cli(
      "build",
      "--dry-run",
      "--cache-dir",
      cache,
      "-t",
      "dry:1",
      "-o",
      `type=oci,dest=${dest}`,
      ctx,
    );
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("plan: 2 stages for ");
    expect(first.stdout).toContain("0/3 layer steps cached (nothing was run)");
    expect(first.stdout).toMatch(
      /stage 0 one: FROM scratch\n {2}\[one 1\/2\] COPY a\.txt \/a +[0-9a-f]{12} {2}run\n {2}\[one 2\/2\] ENV X=1 +config\n/,
    );
    expect(first.stdout).toMatch(/stage 1 two \(target\): FROM scratch\n/);
    expect(fs.existsSync(dest)).toBe(false);
    expect(records()).toEqual([]);
    const images = await cli("images", "--cache-dir", cache);
    expect(images.stdout).not.toContain("dry");

    // Build stage one only; the dry run then shows its COPY cached under the same short key.
    const key = /\[one 1\/2\] COPY a\.txt \/a +([0-9a-f]{12})/.exec(first.stdout)?.[1];
    expect(
      (await cli("build", "--progress", "plain", "--cache-dir", cache, "--target", "one", ctx)).status,
    ).toBe(0);
    const second = await cli("build", "--dry-run", "--cache-dir", cache, ctx);
    expect(second.stdout).toContain("1/3 layer steps cached");
    expect(second.stdout).toMatch(new RegExp(`\\[one 1/2\\] COPY a\\.txt /a +${key}  cached`));
    expect(second.stdout).toMatch(/\[two 1\/2\] COPY b\.txt \/b +[0-9a-f]{12} {2}run/);
    // --no-cache: everything would run.
    const noCache = await cli("build", "--dry-run", "--no-cache", "--cache-dir", cache, ctx);
    expect(noCache.stdout).toContain("0/3 layer steps cached");
  });

  test("a Dockerfile error is reported as the build would, exit 1", async () => {
    fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY missing.txt /x\n");
    const r = await cli("build", "--dry-run", "--cache-dir", cache, ctx);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("missing.txt");
  });
});

describe("BUILDKIT_PROGRESS and BUILDX_* variables", () => {
  let cache: string;
  beforeAll(() => {
    cache = tempDir("tsbuild-cli-cache-");
  });
  afterAll(() => rm(cache));
  const ctx = path.join(__dirname, "..", "..", "fixtures", "hello");

  test("BUILDKIT_PROGRESS=plain is --progress plain; the flag wins; a bad value exits 2", () => {
    const plain = bin(["build", "--cache-dir", cache, ctx], { env: { BUILDKIT_PROGRESS: "plain" } });
    expect(plain.status).toBe(0);
    expect(plain.stderr).toMatch(/#1 \[site 2\/7\] COPY site\/ \/srv\/www\//);
    const quiet = bin(["build", "--cache-dir", cache, "--progress", "quiet", ctx], {
      env: { BUILDKIT_PROGRESS: "plain" },
    });
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).not.toContain("#1 ");
    const bad = bin(["build", "--cache-dir", cache, ctx], { env: { BUILDKIT_PROGRESS: "fancy" } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('BUILDKIT_PROGRESS: "fancy" is not auto, tty, plain, rawjson, quiet');
  });

  test("BUILDX_NO_DEFAULT_ATTESTATIONS is accepted silently; BUILDX_GIT_LABELS is reported, not ignored", () => {
    const r = bin(["build", "--cache-dir", cache, "--progress", "quiet", ctx], {
      env: { BUILDX_NO_DEFAULT_ATTESTATIONS: "1", BUILDX_NO_DEFAULT_LOAD: "1", BUILDX_GIT_LABELS: "full" },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("tsbuild: BUILDX_GIT_LABELS is not supported; ignored\n");
  });
});

test("tsbuild build --help lists every flag", () => {
  const help = bin(["build", "--help"]);
  expect(help.status).toBe(0);
  for (const flag of [
    "--tag",
    "--file",
    "--build-arg",
    "--target",
    "--no-cache",
    "--label",
    "--platform",
    "--output",
    "--allow",
    "--ssh",
    "--ulimit",
    "--secret",
    "--push",
    "--pull",
    "--cache-from",
    "--cache-to",
    "--iidfile",
    "--metadata-file",
    "--progress",
    "--quiet",
    "--load",
    "--build-context",
    "--network",
    "--add-host",
    "--shm-size",
    "--annotation",
    "--dry-run",
  ]) {
    expect(help.stdout).toMatch(new RegExp(`^ +(-\\w, )?${flag}\\b`, "m"));
  }
});
