import * as fs from "node:fs";
import { imageResolver, makeContext, planOf } from "./helpers";

// The image config and history the planner writes, checked against what BuildKit writes for the
// same Dockerfile (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go).

let ctx: string;
beforeAll(() => {
  ctx = makeContext({ "a.txt": "a", "b.txt": "b" });
});
afterAll(() => fs.rmSync(ctx, { recursive: true, force: true }));

const target = (p: Awaited<ReturnType<typeof planOf>>) => p.stages[p.stages.length - 1];

describe("config WorkingDir", () => {
  it('FROM scratch without WORKDIR has WorkingDir "/" (BuildKit emptyImage)', async () => {
    const p = await planOf({ dockerfile: "FROM scratch\nCOPY a.txt /\n", contextDir: ctx });
    expect(target(p).config.config.WorkingDir).toBe("/");
  });

  it("a stage on a scratch stage inherits it; WORKDIR still changes it", async () => {
    const p = await planOf({
      dockerfile: "FROM scratch AS a\nFROM a AS b\nFROM b\nWORKDIR sub\n",
      contextDir: ctx,
      target: "b",
    });
    expect(target(p).config.config.WorkingDir).toBe("/");
    const q = await planOf({ dockerfile: "FROM scratch AS a\nFROM a\nWORKDIR sub\n", contextDir: ctx });
    expect(target(q).config.config.WorkingDir).toBe("/sub");
  });

  it("an image base keeps its own WorkingDir, empty included", async () => {
    const images = imageResolver({ base: { Env: ["PATH=/bin"] }, app: { WorkingDir: "/app" } });
    const p = await planOf({ dockerfile: "FROM base\n", contextDir: ctx, images });
    expect(target(p).config.config.WorkingDir).toBeUndefined();
    const q = await planOf({ dockerfile: "FROM app\n", contextDir: ctx, images });
    expect(target(q).config.config.WorkingDir).toBe("/app");
  });
});
