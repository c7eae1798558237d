import yargs from "yargs";
import type { ArgumentsCamelCase } from "yargs";
import { buildCommand } from "../../src/cli/commands/build";
import { fastParse, recordFlagTable, type FlagTable } from "../../src/cli/fast-args";

/** What yargs (as run-cli configures it) hands the build command, or the message it fails with. */
function viaYargs(argv: string[]): ArgumentsCamelCase | string {
  let got: ArgumentsCamelCase | string = "handler not run";
  try {
    void yargs(argv)
      .scriptName("tsbuild")
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .command(
        ["build [context]", "$0 [context]"],
        "build",
        (y) => buildCommand.builder(y),
        (args) => {
          got = args;
        },
      )
      .parse();
  } catch (err) {
    got = err instanceof Error ? err.message : String(err);
  }
  return got;
}

function table(): FlagTable {
  const t = recordFlagTable(buildCommand.builder);
  if (t === undefined) throw new Error("the build command's flag table is not supported by the fast path");
  return t;
}

/** A valid value for a string flag: its first choice, or a plain word. */
function valueFor(spec: { choices?: readonly string[] }, n: number): string {
  return spec.choices?.[0] ?? `v${n}`;
}

function compare(argv: string[]): void {
  const rest = argv[0] === "build" ? argv.slice(1) : argv;
  const fast = fastParse(rest, table(), argv[0] === "build" ? ["build"] : []);
  const slow = viaYargs(argv);
  if (fast === undefined) return; // declined: yargs decides, nothing to compare
  expect(typeof slow).toBe("object");
  const { $0: _a, ...f } = fast;
  const { $0: _b, ...s } = slow as ArgumentsCamelCase;
  expect(f).toEqual(s);
}

describe("the build command's fast path parses as yargs does", () => {
  test("the build command's flag table is one the fast path understands", () => {
    const t = table();
    expect(t.positionals).toEqual(["context"]);
    expect(t.flags.get("tag")).toEqual({ type: "string", alias: ["t"] });
    expect(t.flags.get("no-cache")?.type).toBe("boolean");
    expect(t.noNegation).toBe(true);
  });

  test("every flag of the table, alone, by each name, with space and = forms", () => {
    let n = 0;
    for (const [name, spec] of table().flags) {
      for (const alias of [name, ...spec.alias]) {
        const flag = alias.length === 1 ? `-${alias}` : `--${alias}`;
        if (spec.type === "boolean") {
          compare(["build", flag, "ctx"]);
          compare([flag, "ctx"]);
          expect(fastParse([flag, "ctx"], table(), [])).toBeDefined();
          continue;
        }
        const v = valueFor(spec, ++n);
        compare(["build", flag, v, "ctx"]);
        compare([flag, v, "ctx"]);
        expect(fastParse([flag, v, "ctx"], table(), [])).toBeDefined();
        if (alias.length > 1) compare(["build", `${flag}=${v}`, "ctx"]);
      }
    }
  });

  test("repeated flags become arrays, as yargs makes them", () => {
    const argv = ["build", "-t", "a:1", "--tag", "b:2", "--build-arg", "X=1", "--build-arg=Y=2", "ctx"];
    compare(argv);
    expect(fastParse(argv.slice(1), table(), ["build"])).toMatchObject({
      tag: ["a:1", "b:2"],
      t: ["a:1", "b:2"],
      buildArg: ["X=1", "Y=2"],
      "build-arg": ["X=1", "Y=2"],
      context: "ctx",
    });
  });

  test("the bench's and CI's usual command lines take the fast path", () => {
    const lines = [
      ["build", "--progress", "plain", "--cache-dir", "/tmp/c", "-t", "bench:latest", "/tmp/ctx"],
      ["build", "-q", "--no-cache", "-f", "docker/Dockerfile", "--platform", "linux/amd64", "."],
      ["-t", "app", "-o", "type=oci,dest=out.tar", "--build-arg", "A=1", "."],
    ];
    for (const argv of lines) {
      compare(argv);
      const rest = argv[0] === "build" ? argv.slice(1) : argv;
      expect(fastParse(rest, table(), [])).toBeDefined();
    }
  });

  test("anything unusual is left to yargs (its messages and exit status)", () => {
    const declined = [
      ["--bogus", "ctx"],
      ["--tag"],
      ["--tag", "--quiet", "ctx"],
      ["--tag=", "ctx"],
      ["--progress", "nope", "ctx"],
      ["--progress", "plain", "--progress", "tty", "ctx"],
      ["-q", "-q", "ctx"],
      ["--quiet=false", "ctx"],
      ["-qt", "x", "ctx"],
      ["-", "--file", "Dockerfile"],
      ["-f", "-", "ctx"],
      ["--", "ctx"],
      ["a", "b"],
      ["--help"],
      ["-h"],
      ["--version"],
    ];
    for (const argv of declined) expect([argv, fastParse(argv, table(), [])]).toEqual([argv, undefined]);
  });

  test("a builder using something the recorder does not model keeps yargs", () => {
    expect(recordFlagTable((y) => y.option("x", { type: "number" }))).toBeUndefined();
    expect(recordFlagTable((y) => y.option("x", { type: "string", default: "a" }))).toBeUndefined();
    expect(recordFlagTable((y) => y.option("x", { type: "string" }).conflicts("x", "y"))).toBeUndefined();
    expect(recordFlagTable((y) => y.option("x", { type: "string", requiresArg: true }))).toBeDefined();
  });
});
