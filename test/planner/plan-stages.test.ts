import * as fs from "node:fs";
import { DockerfileError } from "../../src/parser/errors";
import { UsageError } from "../../src/errors";
import { imageResolver, makeContext, planOf } from "./helpers";

let ctx: string;
beforeAll(() => {
  ctx = makeContext({ "a.txt": "a", "b.txt": "b" });
});
afterAll(() => fs.rmSync(ctx, { recursive: true, force: true }));

const multi = `FROM scratch AS base
COPY a.txt /a
FROM base AS one
COPY b.txt /b
FROM scratch AS unrelated
COPY b.txt /u
FROM one AS final
COPY --from=unrelated /u /u
`;

describe("stages and target", () => {
  it("plans every stage the last stage needs, dependencies first", async () => {
    const p = await planOf({ dockerfile: multi, contextDir: ctx });
    expect(p.stages.map((s) => s.name)).toEqual(["base", "one", "unrelated", "final"]);
    expect(p.stages[3].dependsOn.sort()).toEqual([1, 2]);
  });

  it("--target one prunes stages it does not need", async () => {
    const p = await planOf({ dockerfile: multi, contextDir: ctx, target: "ONE" });
    expect(p.stages.map((s) => s.name)).toEqual(["base", "one"]);
    expect(p.target).toBe(1);
  });

  it("an unknown --target is a usage error with a suggestion", async () => {
    await expect(planOf({ dockerfile: multi, contextDir: ctx, target: "fnal" })).rejects.toThrow(
      new UsageError('target stage "fnal" could not be found (did you mean final?)'),
    );
  });

  it("FROM a stage defined later works; a cycle is an error at the FROM line", async () => {
    const cyc = "FROM b AS a\nCOPY a.txt /\nFROM a AS b\nCOPY b.txt /\n";
    const err = await planOf({ dockerfile: cyc, contextDir: ctx }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).message).toMatch(
      /circular dependency between stages: (a -> b -> a|b -> a -> b)/,
    );
  });

  it("a stage cannot use itself as its base", async () => {
    const err = await planOf({ dockerfile: "FROM x AS x\n", contextDir: ctx }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).line).toBe(1);
    expect((err as DockerfileError).problem).toMatch(/cannot use itself/);
  });

  it("COPY --from=<index> must refer to an earlier stage", async () => {
    const err = await planOf({ dockerfile: "FROM scratch\nCOPY --from=0 /a /a\n", contextDir: ctx }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).line).toBe(2);
  });

  it("COPY --from=<image> that is no stage is an image, resolved by digest", async () => {
    const p = await planOf({
      dockerfile: "FROM scratch\nCOPY --from=busybox:1 /bin/sh /sh\n",
      contextDir: ctx,
      images: imageResolver({ "busybox:1": {} }),
    });
    const step = p.stages[0].steps[0];
    expect(step.kind === "copy" && step.source).toEqual({ kind: "image", ref: "busybox:1" });
  });
});

describe("variables", () => {
  it("global ARGs are usable in FROM and re-declared inside a stage", async () => {
    const df = `ARG BASE=base
ARG V=1
FROM scratch AS base
FROM \${BASE}
ARG V
LABEL v=$V unset=x\${NOPE}y
`;
    const p = await planOf({ dockerfile: df, contextDir: ctx });
    expect(p.stages.map((s) => s.index)).toEqual([0, 1]);
    expect(p.stages[1].config.config.Labels).toEqual({ v: "1", unset: "xy" });
  });

  it("a global ARG is not visible in a stage that does not re-declare it", async () => {
    const p = await planOf({ dockerfile: "ARG V=1\nFROM scratch\nLABEL v=[$V]\n", contextDir: ctx });
    expect(p.stages[0].config.config.Labels).toEqual({ v: "[]" });
  });

  it("--build-arg overrides defaults; unused build args are reported", async () => {
    const df = "FROM scratch\nARG A=default\nENV FROM_A=$A\n";
    const p = await planOf({
      dockerfile: df,
      contextDir: ctx,
      buildArgs: { A: "cli", UNUSED: "x", HTTP_PROXY: "p" },
    });
    expect(p.stages[0].config.config.Env).toContain("FROM_A=cli");
    expect(p.warnings.map((w) => w.message)).toEqual(["one or more build args were not consumed: [UNUSED]"]);
  });

  it("ENV wins over an ARG of the same name; ENV values expand against the env before the instruction", async () => {
    const df = "FROM scratch\nARG X=arg\nENV X=env\nENV A=1 B=$A C=$X\nLABEL x=$X\n";
    const p = await planOf({ dockerfile: df, contextDir: ctx });
    const env = p.stages[0].config.config.Env ?? [];
    expect(env).toEqual(expect.arrayContaining(["X=env", "A=1", "B=", "C=env"]));
    expect(p.stages[0].config.config.Labels).toEqual({ x: "env" });
  });

  it("RUN text is never expanded by the planner; build args reach RUN as env", async () => {
    const df = 'FROM scratch\nARG A=1\nRUN echo $A ${HOME:-x}\nRUN ["/bin/echo", "$A"]\n';
    const p = await planOf({ dockerfile: df, contextDir: ctx });
    const [run1, run2] = p.stages[0].steps.filter((s) => s.kind === "run");
    expect(run1.kind === "run" && run1.argv).toEqual(["/bin/sh", "-c", "echo $A ${HOME:-x}"]);
    expect(run2.kind === "run" && run2.argv).toEqual(["/bin/echo", "$A"]);
    expect(run1.kind === "run" && run1.state.buildArgs).toEqual(["A=1"]);
    expect(run1.createdBy).toBe("RUN |1 A=1 /bin/sh -c echo $A ${HOME:-x} # buildkit");
  });

  it("platform args are global and can be declared in a stage", async () => {
    const df = "FROM scratch\nARG TARGETARCH\nARG TARGETPLATFORM\nLABEL arch=$TARGETARCH p=$TARGETPLATFORM\n";
    const p = await planOf({ dockerfile: df, contextDir: ctx });
    expect(p.stages[0].config.config.Labels).toEqual({ arch: "amd64", p: "linux/amd64" });
  });

  it("a bad substitution is a DockerfileError at its column", async () => {
    const err = await planOf({ dockerfile: "FROM scratch\nLABEL a=${x\n", contextDir: ctx }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).line).toBe(2);
  });
});

describe("config steps", () => {
  it("metadata instructions change the config without layers; WORKDIR makes a step", async () => {
    const df = `FROM scratch
MAINTAINER someone
WORKDIR /app
WORKDIR sub
USER 1000:1000
EXPOSE 80 53/udp 8000-8001
VOLUME ["/data"]
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/app"]
CMD run --help
HEALTHCHECK --interval=5s CMD /bin/check
SHELL ["/bin/bash", "-c"]
ONBUILD RUN echo child
`;
    const p = await planOf({ dockerfile: df, contextDir: ctx });
    const stage = p.stages[0];
    expect(stage.steps.map((s) => s.kind)).toEqual([
      "config",
      "workdir",
      "workdir",
      "config",
      "config",
      "config",
      "config",
      "config",
      "config",
      "config",
      "config",
      "config",
    ]);
    expect(stage.config.author).toBe("someone");
    expect(stage.config.config).toMatchObject({
      WorkingDir: "/app/sub",
      User: "1000:1000",
      ExposedPorts: { "80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {} },
      Volumes: { "/data": {} },
      StopSignal: "SIGINT",
      Entrypoint: ["/bin/app"],
      Cmd: ["/bin/sh", "-c", "run --help"],
      Healthcheck: { Test: ["CMD-SHELL", "/bin/check"], Interval: 5e9 },
      Shell: ["/bin/bash", "-c"],
      OnBuild: ["RUN echo child"],
    });
  });

  it("ENTRYPOINT clears an inherited CMD but keeps one set in the stage", async () => {
    const images = imageResolver({ base: { Cmd: ["inherited"] } });
    const a = await planOf({ dockerfile: 'FROM base\nENTRYPOINT ["e"]\n', contextDir: ctx, images });
    expect(a.stages[0].config.config.Cmd).toBeUndefined();
    const b = await planOf({
      dockerfile: 'FROM base\nCMD ["c"]\nENTRYPOINT ["e"]\n',
      contextDir: ctx,
      images,
    });
    expect(b.stages[0].config.config.Cmd).toEqual(["c"]);
  });

  it("the base image's ONBUILD triggers run first and are not inherited", async () => {
    const images = imageResolver({
      base: { OnBuild: ["COPY a.txt /from-trigger", "ENV T=1"], Env: ["PATH=/bin"] },
    });
    const p = await planOf({ dockerfile: "FROM base\nENV U=2\n", contextDir: ctx, images });
    const stage = p.stages[0];
    expect(stage.steps[0].kind === "copy" && stage.steps[0].dest).toBe("/from-trigger");
    expect(stage.config.config.Env).toEqual(["PATH=/bin", "T=1", "U=2"]);
    expect(stage.config.config.OnBuild).toBeUndefined();
  });

  it("COPY destinations resolve against WORKDIR; several sources need a directory", async () => {
    const p = await planOf({
      dockerfile: "FROM scratch\nWORKDIR /w\nCOPY a.txt b.txt dir/\n",
      contextDir: ctx,
    });
    const copy = p.stages[0].steps[1];
    expect(copy.kind === "copy" && copy.dest).toBe("/w/dir/");
    const err = await planOf({ dockerfile: "FROM scratch\nCOPY a.txt b.txt /dir\n", contextDir: ctx }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).line).toBe(2);
  });

  it("a missing COPY source is an error at the COPY line naming close matches", async () => {
    const err = await planOf({ dockerfile: "FROM scratch\n\nCOPY a.tx /\n", contextDir: ctx }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).line).toBe(3);
    expect((err as DockerfileError).message).toMatch(/a\.tx.*did you mean a\.txt/);
  });
});
