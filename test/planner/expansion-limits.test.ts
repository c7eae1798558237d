import * as fs from "node:fs";
import { DockerfileError } from "../../src/parser/errors";
import { MAX_EXPANDED_LENGTH } from "../../src/parser/shell";
import { MAX_EXPANDED_TOTAL } from "../../src/planner/expand";
import { imageResolver, makeContext, planOf } from "./helpers";

/** Plans `dockerfile` and returns the DockerfileError it must fail with. */
async function planError(dockerfile: string, buildArgs?: Record<string, string>): Promise<DockerfileError> {
  const contextDir = makeContext({ "f.txt": "x" });
  try {
    await planOf({
      dockerfile,
      contextDir,
      images: imageResolver({ base: {} }),
      ...(buildArgs ? { buildArgs } : {}),
    });
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileError);
    return err as DockerfileError;
  } finally {
    fs.rmSync(contextDir, { recursive: true, force: true });
  }
  throw new Error("expected the plan to fail");
}

const doubling = (line: string): string => Array.from({ length: 40 }, () => line).join("\n");
const perWord = "the limit on one expanded word";

describe("variable expansion is bounded in every place it happens", () => {
  it("ARG a=${a}${a} 40 times: a located error at the line that crosses the limit", async () => {
    const err = await planError(`FROM scratch\nARG a=x\n${doubling("ARG a=${a}${a}")}\n`);
    expect(err.problem).toContain(perWord);
    expect(err.problem).toContain(String(MAX_EXPANDED_LENGTH));
    expect([err.line, err.column]).toEqual([23, 11]);
  });

  it.each([
    ["global ARGs (before FROM)", `ARG a=x\n${doubling("ARG a=${a}${a}")}\nFROM scratch\n`],
    ["ENV", `FROM scratch\nENV a=x\n${doubling("ENV a=${a}${a}")}\n`],
    ["LABEL values", `FROM scratch\nARG a=x\n${doubling("ARG a=${a}${a}")}\nLABEL l=$a$a\n`],
    ["WORKDIR", `FROM scratch\nENV a=x\n${doubling("ENV a=$a$a")}\nWORKDIR /$a$a\n`],
    ["COPY sources", `FROM scratch\nARG a=x\n${doubling("ARG a=$a$a")}\nCOPY $a$a /d/\n`],
  ])("%s", async (_where, dockerfile) => {
    const err = await planError(dockerfile);
    expect(err.problem).toContain(perWord);
    expect(err.line).toBeGreaterThan(1);
  });

  it("a --build-arg value that is already huge is fine alone but not doubled", async () => {
    const big = "b".repeat(MAX_EXPANDED_LENGTH - 10);
    const err = await planError(`FROM scratch\nARG B\nENV x=$B\nENV y=$B$B\n`, { B: big });
    expect([err.line, err.problem.includes(perWord)]).toEqual([4, true]);
  });

  it("wide: many lines each at the per-word limit hit the per-build total", async () => {
    const big = "b".repeat(MAX_EXPANDED_LENGTH - 10);
    const lines = Array.from({ length: 100 }, (_, i) => `LABEL l${i}=$B`).join("\n");
    const err = await planError(`FROM scratch\nARG B\n${lines}\n`, { B: big });
    expect(err.problem).toBe(
      `variable expansion in this Dockerfile produces more than ${MAX_EXPANDED_TOTAL} characters in total (the limit for one build)`,
    );
    expect(err.line).toBeLessThan(100);
  });

  it("deep: ${...} nested past the nesting cap is a located error", async () => {
    const deep = "${a:-".repeat(1000) + "x" + "}".repeat(1000);
    const err = await planError(`FROM scratch\nENV a=${deep}\n`);
    expect(err.problem).toContain("nested more than");
    expect(err.line).toBe(2);
  });
});
