import * as fs from "node:fs";
import * as path from "node:path";
import { cli, helloDir, rm, skopeoInspect, tempDir, tempTree } from "./helpers";

describe("tsbuild build (in-process)", () => {
  let cache: string;
  let out: string;
  beforeEach(() => {
    cache = tempDir("tsbuild-cli-cache-");
    out = tempDir("tsbuild-cli-out-");
  });
  afterEach(() => rm(cache, out));

  test("builds fixtures/hello into an OCI archive skopeo reads, labels included; a rebuild is all CACHED", async () => {
    const archive = path.join(out, "hello.oci.tar");
    const first = await cli(
      "build",
      "-t",
      "hello:latest",
      "-o",
      `type=oci,dest=${archive}`,
      "--progress",
      "plain",
      "--cache-dir",
      cache,
      "--label",
      "extra=yes",
      "--build-arg",
      "SOURCE_DATE_EPOCH=1700000000",
      helloDir,
    );
    expect(first.stderr).toContain("#1 [site 2/7] COPY site/ /srv/www/");
    expect(first.stderr).toMatch(/#1 DONE \d+\.\ds/);
    // The export's block: its status rows (layers with their bytes, the tarball's size), then DONE.
    expect(first.stderr).toMatch(
      /#(\d+) exporting to oci .*hello\.oci\.tar\n(#\1 exporting layers.*\n)+(#\1 .*\n)*#\1 sending tarball \S+B \/ \S+B.*done\n#\1 DONE/,
    );
    expect(first.stderr).toMatch(/Built hello:latest in \d+\.\ds, 0\/2 steps cached/);
    expect(first.status).toBe(0);
    expect(first.stdout).toBe("");
    const info = skopeoInspect(`oci-archive:${archive}`);
    expect(info.Labels).toEqual({
      "org.opencontainers.image.title": "tsbuild hello",
      greeting: "hello",
      extra: "yes",
    });
    // COPY's layer and WORKDIR's empty one: BuildKit commits a layer for every WORKDIR but /.
    expect(info.Layers).toHaveLength(2);

    const archive2 = path.join(out, "hello-again.oci.tar");
    const again = await cli(
      "build",
      "-t",
      "hello:latest",
      "-o",
      `type=oci,dest=${archive2}`,
      "--progress",
      "plain",
      "--cache-dir",
      cache,
      "--label",
      "extra=yes",
      "--build-arg",
      "SOURCE_DATE_EPOCH=1700000000",
      helloDir,
    );
    expect(again.status).toBe(0);
    const starts = again.stderr.match(/^#\d+ \[site \d\/7\] .*$/gm) ?? [];
    expect(starts).toHaveLength(2);
    for (const n of [1, 2]) expect(again.stderr).toContain(`#${n} CACHED`);
    expect(again.stderr).not.toMatch(/#[12] DONE/);
    expect(again.stderr).toContain("2/2 steps cached");
    // Same inputs and SOURCE_DATE_EPOCH, same image.
    const digestOf = (s: string): string | undefined => /digest\s+(sha256:[a-f0-9]{64})/.exec(s)?.[1];
    expect(digestOf(again.stderr)).toBe(digestOf(first.stderr));
    // Each of the two layers was compressed once, by the first export; the second reused them.
    expect(fs.readdirSync(path.join(cache, "compressed"))).toHaveLength(2);
    expect(fs.readFileSync(archive2).equals(fs.readFileSync(archive))).toBe(true);
  });

  test("-q prints only the image ID; --iidfile and --metadata-file record the digests", async () => {
    const iid = path.join(out, "iid");
    const meta = path.join(out, "meta.json");
    const r = await cli(
      "-q",
      "-t",
      "meta:1",
      "-t",
      "meta:2",
      "--iidfile",
      iid,
      "--metadata-file",
      meta,
      "--cache-dir",
      cache,
      helloDir,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    expect(r.stderr).toBe("");
    const id = r.stdout.trim();
    expect(fs.readFileSync(iid, "utf8")).toBe(id);
    const metadata = JSON.parse(fs.readFileSync(meta, "utf8")) as Record<string, unknown>;
    expect(metadata["containerimage.config.digest"]).toBe(id);
    expect(metadata["image.name"]).toBe("meta:1,meta:2");
    const digest = metadata["containerimage.digest"] as string;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(metadata["containerimage.descriptor"]).toEqual(
      expect.objectContaining({ digest, mediaType: "application/vnd.oci.image.manifest.v1+json" }),
    );
    // The image store agrees: both tags, same ID.
    const images = await cli("images", "--no-trunc", "--cache-dir", cache);
    expect(images.stdout).toMatch(new RegExp(`meta\\s+1\\s+${id}`));
    expect(images.stdout).toMatch(new RegExp(`meta\\s+2\\s+${id}`));
  });

  test("--build-arg, --target and -f reach the build; warnings are printed with rule and line", async () => {
    const ctx = tempTree({
      "a.txt": "a",
      "b.txt": "b",
      "build.Dockerfile":
        "FROM scratch AS one\nARG WHO=nobody\nCOPY a.txt /\nLABEL who=$WHO\nCMD run it\nFROM scratch AS two\nCOPY b.txt /\n",
    });
    try {
      const r = await cli(
        "-f",
        path.join(ctx, "build.Dockerfile"),
        "--target",
        "one",
        "--build-arg",
        "WHO=me",
        "-t",
        "args",
        "--progress",
        "plain",
        "--cache-dir",
        cache,
        ctx,
      );
      expect(r.status).toBe(0);
      expect(r.stderr).toContain("COPY a.txt /");
      expect(r.stderr).not.toContain("COPY b.txt /");
      expect(r.stderr).toMatch(/ warnings? found:\n/);
      expect(r.stderr).toMatch(/\n - JSONArgsRecommended: .* \(line 5\)\n/);
      const inspect = await cli("inspect", "args", "--cache-dir", cache);
      const [image] = JSON.parse(inspect.stdout) as Array<{
        config: { config: { Labels: Record<string, string> } };
      }>;
      expect(image?.config.config.Labels).toEqual({ who: "me" });
    } finally {
      rm(ctx);
    }
  });

  test("--no-cache runs every step again (and refreshes the cache)", async () => {
    expect((await cli("--cache-dir", cache, helloDir)).status).toBe(0);
    const r = await cli("--no-cache", "--progress", "plain", "--cache-dir", cache, helloDir);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain("CACHED");
    expect(r.stderr.match(/^#\d+ DONE/gm)).toHaveLength(2);
    expect(r.stderr).toContain("0/2 steps cached");
  });

  test("-o - writes the image's rootfs tar to stdout", async () => {
    const r = await cli("-o", "-", "--progress", "quiet", "--cache-dir", cache, helloDir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("srv/www/");
    expect(r.stderr).toBe("");
  });

  test("rawjson prints BuildKit SolveStatus lines: every vertex started and completed", async () => {
    const r = await cli("--progress", "rawjson", "--cache-dir", cache, helloDir);
    expect(r.status).toBe(0);
    const statuses = r.stderr
      .trim()
      .split("\n")
      .map(
        (l) => JSON.parse(l) as { vertexes: { digest: string; name: string; completed?: string }[] | null },
      );
    const vertexes = new Map<string, { name: string; completed?: string }>();
    for (const s of statuses) for (const v of s.vertexes ?? []) vertexes.set(v.digest, v);
    const names = [...vertexes.values()].map((v) => v.name);
    expect(names.filter((n) => !n.startsWith("exporting"))).toHaveLength(2);
    expect([...vertexes.values()].every((v) => v.completed !== undefined)).toBe(true);
  });

  test.each([
    [["--bogus", "."], /Unknown argument: bogus/],
    [["--progress", "fancy", "."], /progress.*fancy/s],
    [["--compression", "lz4", "."], /compression.*lz4/s],
    [["--jobs", "0", "."], /--jobs: "0"/],
    [["--output", "type=weird,dest=x", "."], /--output: unknown type "weird"/],
    [["--output", "type=oci", "."], /--output type=oci needs dest/],
    [["--build-arg", "1X=2", "."], /--build-arg: invalid name/],
    [["--label", "novalue", "."], /--label: invalid value "novalue"/],
    [["--platform", "linux/a b", "."], /--platform: invalid platform/],
    [
      ["--platform", "linux/amd64,linux/amd6", "."],
      /--platform: invalid platform "linux\/amd6": "amd6" is not a known architecture/,
    ],
    [
      ["--platform", "linux/amd64,linux/arm64", "-o", "type=docker,dest=x.tar", "."],
      /--output type=docker: a Docker archive holds one platform, this build has 2 \(linux\/amd64, linux\/arm64\)/,
    ],
    [["-t", "Bad:Name", "."], /--tag: invalid reference format "Bad:Name"/],
    [["--secret", "src=/etc/hostname", "."], /--secret: missing id=/],
    [["--secret", "id=x,src=/nonexistent/secret", "."], /--secret id=x: cannot read src/],
    [["-q", "-o", "-", "."], /--quiet: the image ID cannot go to stdout/],
    [["-o", "-", "-o", "type=docker,dest=-", "."], /--output: only one output can be written to stdout/],
    [["-t"], /Not enough arguments following: t/],
    [["build", "a", "b"], /Unknown argument: b/],
    [[], /requires exactly 1 argument/],
  ])("usage error %j exits 2 naming the flag", async (argv, message) => {
    const r = await cli(...argv, "--cache-dir", cache);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test("a Dockerfile error exits 1 with file:line:col and a caret, and writes no outputs", async () => {
    const ctx = tempTree({ Dockerfile: "FROM scratch\nCOPY a /a\nFROBNICATE x\n", a: "a" });
    const iid = path.join(out, "iid");
    try {
      const r = await cli("--iidfile", iid, "--cache-dir", cache, ctx);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /Dockerfile:3:1: unknown instruction: FROBNICATE\n3 \| FROBNICATE x\n +\| \^+/,
      );
      expect(fs.existsSync(iid)).toBe(false);
    } finally {
      rm(ctx);
    }
  });

  test("a missing context or a failing step exits 1 with a one-line error", async () => {
    const missing = await cli("--cache-dir", cache, path.join(out, "nope"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error: open build context .*nope: no such directory\n$/);
    const ctx = tempTree({ Dockerfile: "FROM scratch\nCOPY missing.txt /\n" });
    try {
      const r = await cli("--progress", "plain", "--cache-dir", cache, ctx);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/missing\.txt/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      rm(ctx);
    }
  });
});
