import * as fs from "node:fs";
import type { Plan } from "../../src/planner/plan";
import { makeContext, planOf } from "./helpers";

/** BuildKit's automatic TARGETSTAGE arg (upstream testTargetStageNameArg). */
const dockerfile = `FROM scratch AS base
RUN before
ARG TARGETSTAGE
RUN after
FROM scratch AS foo
RUN foo
FROM scratch
RUN last
`;

let dir: string;
beforeAll(() => {
  dir = makeContext({});
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function argsOf(p: Plan, stage: number, step: number): string[] {
  const runs = p.stages.find((x) => x.index === stage)?.steps.filter((s) => s.kind === "run") ?? [];
  const s = runs[step];
  return s?.kind === "run" ? s.state.buildArgs : ["no such RUN"];
}

describe("TARGETSTAGE", () => {
  it("is the target's name, 'default' for an unnamed last stage, and only where declared", async () => {
    const last = await planOf({
      dockerfile: dockerfile.replace("RUN last", "COPY --from=base / /"),
      contextDir: dir,
    });
    expect(argsOf(last, 0, 0)).toEqual([]);
    expect(argsOf(last, 0, 1)).toEqual(["TARGETSTAGE=default"]);
    const foo = await planOf({
      dockerfile: dockerfile.replace("RUN foo", "COPY --from=base / /"),
      contextDir: dir,
      target: "FOO",
    });
    expect(argsOf(foo, 0, 1)).toEqual(["TARGETSTAGE=foo"]);
  });

  it("a --build-arg TARGETSTAGE wins", async () => {
    const p = await planOf({ dockerfile, contextDir: dir, target: "base", buildArgs: { TARGETSTAGE: "x" } });
    expect(argsOf(p, 0, 1)).toEqual(["TARGETSTAGE=x"]);
  });
});
