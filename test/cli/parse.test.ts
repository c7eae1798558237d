import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../src/cli/run-cli";

interface Output {
  status: number;
  stdout: string;
  stderr: string;
}

async function cli(...argv: string[]): Promise<Output> {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const status = await runCli(argv);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("tsbuild parse", () => {
  let dir: string;
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-parse-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const MULTI = [
    "ARG GO=1.22",
    "FROM --platform=$BUILDPLATFORM golang:${GO} AS build",
    "RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .",
    "FROM scratch",
    "COPY --from=build /out/app /app",
    "CMD /app",
    "",
  ].join("\n");

  test("tsbuild parse FILE lists stages and instructions, warnings on stderr", async () => {
    const file = write("Dockerfile", MULTI);
    const { status, stdout, stderr } = await cli("parse", file);
    expect(status).toBe(0);
    expect(stdout).toContain('stage 0 "build": from golang:${GO} for $BUILDPLATFORM');
    expect(stdout).toContain("stage 1: from scratch");
    expect(stdout).toContain(
      "3    RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .   [cache mount at /root/.cache/go-build]",
    );
    expect(stdout).toContain(`${file}: 2 stages, 6 instructions, 1 warning`);
    expect(stderr).toBe(
      `warning: ${file}:6:1: JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals\n`,
    );
  });

  test("tsbuild parse --json -f FILE prints stages, meta args and warnings", async () => {
    const file = write("Dockerfile", MULTI);
    const { status, stdout } = await cli("parse", "--json", "-f", file);
    expect(status).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.metaArgs[0].args[0]).toMatchObject({ name: "GO", defaultValue: "1.22" });
    expect(json.stages.map((s: { name?: string; baseName: string }) => [s.name, s.baseName])).toEqual([
      ["build", "golang:${GO}"],
      [undefined, "scratch"],
    ]);
    expect(json.stages[0].instructions[0].mounts[0]).toEqual({
      type: "cache",
      target: "/root/.cache/go-build",
      readOnly: false,
    });
    expect(json.stages[1].instructions[0]).toMatchObject({ kind: "COPY", from: "build" });
    expect(json.warnings.map((w: { rule: string }) => w.rule)).toEqual(["JSONArgsRecommended"]);
    expect(stdout).not.toContain('"node"');
  });

  test("tsbuild parse --dump prints BuildKit's AST dump", async () => {
    const file = write("Dockerfile", 'FROM alpine\nCOPY --link a b /c/\nONBUILD RUN ["x"]\n');
    const { status, stdout } = await cli("parse", "--dump", file);
    expect(status).toBe(0);
    expect(stdout).toBe('(from "alpine")\n(copy ["--link"] "a" "b" "/c/")\n(onbuild (run "x"))\n');
  });

  test("tsbuild parse on a bad flag prints the located error with a caret and exits 1", async () => {
    const file = write("Dockerfile", "FROM alpine\nCOPY --chmood=755 a /b\n");
    const { status, stdout, stderr } = await cli("parse", file);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      [
        `error: ${file}:2:6: unknown flag: chmood for COPY (did you mean chmod?)`,
        "2 | COPY --chmood=755 a /b",
        "  |      ^^^^^^^^",
        "",
      ].join("\n"),
    );
  });

  test("tsbuild parse on a missing file exits 1 naming it", async () => {
    const missing = path.join(dir, "nope");
    const { status, stderr } = await cli("parse", missing);
    expect(status).toBe(1);
    expect(stderr).toBe(`error: read Dockerfile ${missing}: ENOENT\n`);
  });

  test("tsbuild parse --json --dump is a usage error", async () => {
    const file = write("Dockerfile", "FROM alpine\n");
    const { status } = await cli("parse", "--json", "--dump", file);
    expect(status).toBe(2);
  });
});
