import * as fs from "node:fs";
import { imageResolver, makeContext, planOf } from "./helpers";

/** A base image's ONBUILD triggers that read stages (upstream testOnBuildNewDeps). */
let dir: string;
beforeAll(() => {
  dir = makeContext({});
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const images = imageResolver({
  "reads-inputs": { OnBuild: ["RUN --mount=type=bind,from=inputs,target=/in cat /in/x"] },
  "copies-inputs": { OnBuild: ["COPY --from=inputs /x /x"] },
  "reads-last": { OnBuild: ["COPY --from=last /x /x"] },
  plain: {},
});

describe("ONBUILD triggers of a base image", () => {
  it("make the stages they read dependencies, planned first, though the Dockerfile never names them", async () => {
    for (const base of ["reads-inputs", "copies-inputs"]) {
      const p = await planOf({
        dockerfile: `FROM plain AS inputs\nRUN make x\nFROM ${base} AS app\nRUN use\nFROM scratch\nCOPY --from=app /x /x\n`,
        contextDir: dir,
        images,
      });
      expect(p.stages.map((s) => s.index)).toEqual([0, 1, 2]);
      expect(p.stages[1].dependsOn).toContain(0);
      // The trigger runs first, reading the planned stage.
      expect(p.stages[1].steps[0].display).toMatch(/inputs/);
    }
  });

  it("a trigger that closes a cycle is reported at the stage's FROM", async () => {
    await expect(
      planOf({
        dockerfile: `FROM reads-last AS first\nRUN a\nFROM first AS last\nRUN b\n`,
        contextDir: dir,
        images,
      }),
    ).rejects.toThrow(/circular dependency between stages/);
  });
});
