import * as fs from "node:fs";
import * as path from "node:path";
import { cli, tempDir, tempTree } from "./helpers";

/** A path as tsbuild names the Dockerfile: relative to the cwd unless that climbs out of it. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/** `--call check|outline|targets` and `--check`, in buildx's output shapes. */
describe("tsbuild build --call", () => {
  let cache: string;
  beforeAll(() => {
    cache = tempDir("tsbuild-call-cache-");
  });
  afterAll(() => fs.rmSync(cache, { recursive: true, force: true }));

  const lintDockerfile = ["FROM scratch", "CMD echo hi", ""].join("\n");

  test("--check: buildx's text, one WARNING block with the source excerpt, exit 1", async () => {
    const ctx = tempTree({ Dockerfile: lintDockerfile });
    const r = await cli("build", "--check", "--cache-dir", cache, ctx);
    expect(r.stdout).toBe(
      [
        "Check complete, 1 warning has been found!",
        "",
        "WARNING: JSONArgsRecommended - https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
        "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
        `${shown(path.join(ctx, "Dockerfile"))}:2`,
        "--------------------",
        "   1 |     FROM scratch",
        "   2 | >>> CMD echo hi",
        "   3 |     ",
        "--------------------",
        "",
      ].join("\n"),
    );
    expect(r.status).toBe(1);
    expect(fs.existsSync(path.join(ctx, "out"))).toBe(false);
  });

  test("--call check,format=json: BuildKit's lint result", async () => {
    const ctx = tempTree({ Dockerfile: lintDockerfile });
    const r = await cli("build", "--call", "check,format=json", "--cache-dir", cache, ctx);
    const result = JSON.parse(r.stdout) as {
      warnings: { ruleName: string; description: string; url: string; detail: string; location: unknown }[];
      sources: { filename: string; data: string; language: string }[];
    };
    expect(result.warnings).toEqual([
      {
        ruleName: "JSONArgsRecommended",
        description:
          "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
        url: "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
        detail: "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
        location: { ranges: [{ start: { line: 2 }, end: { line: 2 } }] },
      },
    ]);
    expect(Buffer.from(result.sources[0].data, "base64").toString()).toBe(lintDockerfile);
    expect(result.sources[0].language).toBe("Dockerfile");
    expect(r.status).toBe(1);
  });

  test("a clean Dockerfile: 'Check complete, no warnings found.', exit 0", async () => {
    const ctx = tempTree({ Dockerfile: 'FROM scratch\nCMD ["hi"]\n' });
    const r = await cli("build", "--call=check", "--cache-dir", cache, ctx);
    expect(r.stdout).toBe("Check complete, no warnings found.\n");
    expect(r.status).toBe(0);
  });

  test("# check=error=true: warnings, then the error on stderr, exit 1", async () => {
    const ctx = tempTree({ Dockerfile: "# check=error=true\nFROM scratch AS Base\n" });
    const r = await cli("build", "--check", "--cache-dir", cache, ctx);
    expect(r.stdout).toContain("WARNING: StageNameCasing");
    expect(r.stderr).toContain("ERROR: lint violation found for rules: StageNameCasing");
    expect(r.status).toBe(1);
  });

  test("UndefinedVar is found by --check (planner-level rule)", async () => {
    const ctx = tempTree({ Dockerfile: "FROM scratch\nWORKDIR /$DIRR\n" });
    const r = await cli("build", "--check", "--cache-dir", cache, ctx);
    expect(r.stdout).toContain(
      "WARNING: UndefinedVar - https://docs.docker.com/go/dockerfile/rule/undefined-var/",
    );
    expect(r.stdout).toContain("Usage of undefined variable '$DIRR'");
  });

  const outlineDockerfile = [
    "# GO_VERSION the Go toolchain",
    "ARG GO_VERSION=1.22",
    "ARG UNUSED=x",
    "FROM scratch AS base",
    "",
    "# build compiles the binary",
    "FROM base AS build",
    "# MODE release or debug",
    "ARG MODE=release",
    "ARG GO_VERSION",
    "RUN --mount=type=secret,id=token,required=true --mount=type=ssh true",
    "",
    "FROM scratch",
    "COPY --from=build / /",
    "",
  ].join("\n");

  test("--call outline: target, build args with values and descriptions, secrets, ssh", async () => {
    const ctx = tempTree({ Dockerfile: outlineDockerfile });
    const r = await cli("build", "--call", "outline", "--target", "build", "--cache-dir", cache, ctx);
    expect(r.stdout).toBe(
      [
        "TARGET:      build",
        "DESCRIPTION: compiles the binary",
        "",
        "BUILD ARG    VALUE     DESCRIPTION",
        "GO_VERSION   1.22      the Go toolchain",
        "MODE         release   release or debug",
        "",
        "SECRET   REQUIRED",
        "token    true",
        "",
        "SSH       REQUIRED",
        "default   ",
        "",
        "",
      ].join("\n"),
    );
    expect(r.status).toBe(0);
    const json = await cli(
      "build",
      "--call",
      "outline,format=json",
      "--target",
      "build",
      "--cache-dir",
      cache,
      ctx,
    );
    const outline = JSON.parse(json.stdout) as { name: string; args: { name: string; value?: string }[] };
    expect(outline.name).toBe("build");
    expect(outline.args.map((a) => [a.name, a.value])).toEqual([
      ["GO_VERSION", "1.22"],
      ["MODE", "release"],
    ]);
  });

  test("--call targets: named stages and the default, text and json", async () => {
    const ctx = tempTree({ Dockerfile: outlineDockerfile });
    const r = await cli("build", "--call", "targets", "--cache-dir", cache, ctx);
    expect(r.stdout).toBe(
      ["TARGET      DESCRIPTION", "base        ", "build       compiles the binary", "(default)   ", ""].join(
        "\n",
      ),
    );
    const json = await cli("build", "--call", "targets,format=json", "--cache-dir", cache, ctx);
    const list = JSON.parse(json.stdout) as { targets: { name?: string; default?: boolean; base: string }[] };
    expect(list.targets.map((t) => [t.name, t.default, t.base])).toEqual([
      ["base", undefined, "scratch"],
      ["build", undefined, "base"],
      [undefined, true, "scratch"],
    ]);
  });

  test("--call nonsense and --call check,format=xml are usage errors (exit 2)", async () => {
    const ctx = tempTree({ Dockerfile: "FROM scratch\n" });
    const bad = await cli("build", "--call", "nonsense", ctx);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--call: unknown method "nonsense"');
    const fmt = await cli("build", "--call", "check,format=xml", ctx);
    expect(fmt.status).toBe(2);
  });
});
