import * as fs from "node:fs";
import { DockerfileError } from "../../src/parser/errors";
import { keys, makeContext, planOf } from "./helpers";

/** Planner bugs found in review, each pinned by the Dockerfile that showed it. */
let ctx: string;
beforeAll(() => {
  ctx = makeContext({ "a.txt": "a" });
});
afterAll(() => fs.rmSync(ctx, { recursive: true, force: true }));

describe("--from with variables", () => {
  it("expands --from with the global ARGs, like the stage graph", async () => {
    const p = await planOf({
      dockerfile:
        "ARG SRC=builder\nFROM scratch AS builder\nCOPY a.txt /a\nFROM scratch\nCOPY --from=$SRC /a /b\n",
      contextDir: ctx,
    });
    expect(p.stages.map((s) => s.name ?? s.index)).toEqual(["builder", 1]);
    const copy = p.stages[1].steps[0];
    expect(copy.kind === "copy" && copy.source).toEqual({ kind: "stage", stage: 0 });
  });

  it("a stage-scoped ARG in --from is a located DockerfileError, not an internal crash", async () => {
    const err = await planOf({
      dockerfile:
        "FROM scratch AS builder\nCOPY a.txt /a\nFROM scratch\nARG SRC=builder\nCOPY --from=$SRC /a /b\n",
      contextDir: ctx,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).line).toBe(5);
  });

  it("RUN --mount from=scratch is refused", async () => {
    const err = await planOf({
      dockerfile: "FROM scratch\nRUN --mount=type=bind,from=scratch,target=/m true\n",
      contextDir: ctx,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).problem).toMatch(/nothing to mount/);
  });
});

describe("keys", () => {
  it("COPY keys do not depend on USER (COPY never uses it)", async () => {
    const a = keys(await planOf({ dockerfile: "FROM scratch\nCOPY a.txt /a\n", contextDir: ctx }));
    const b = keys(await planOf({ dockerfile: "FROM scratch\nUSER 1000\nCOPY a.txt /a\n", contextDir: ctx }));
    expect(b).toEqual(a);
  });

  it("a #! heredoc RUN's key does not depend on the step's position", async () => {
    const run = "RUN <<EOF\n#!/bin/sh\necho hi\nEOF\n";
    const a = keys(await planOf({ dockerfile: `FROM scratch\n${run}`, contextDir: ctx }));
    const b = keys(await planOf({ dockerfile: `FROM scratch\nLABEL x=y\n${run}`, contextDir: ctx }));
    expect(b).toEqual(a);
  });

  it("an ADD URL with ? or * in its query is one file, not a glob (no trailing / needed)", async () => {
    const p = await planOf({
      dockerfile: "FROM scratch\nADD http://127.0.0.1:9/f.txt?v=1&x=* /dest\n",
      contextDir: ctx,
    });
    const step = p.stages[0].steps[0];
    expect(step.kind === "copy" && [step.sources, step.dest]).toEqual([
      ["http://127.0.0.1:9/f.txt?v=1&x=*"],
      "/dest",
    ]);
  });
});
