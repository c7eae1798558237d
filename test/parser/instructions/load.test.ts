import { loadDockerfile } from "../../../src/parser/load";

describe("loadDockerfile", () => {
  const text = [
    "# syntax=docker/dockerfile:1",
    "ARG BASE=alpine:3.19",
    "ARG VERSION",
    "FROM ${BASE} AS Deps",
    "RUN <<EOF",
    "apk add curl",
    "EOF",
    "FROM deps AS app",
    "ONBUILD COPY . /src",
    "COPY --from=Deps /usr/bin/curl /usr/bin/",
    "FROM app",
    'HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/"]',
    "",
  ].join("\n");

  test("ARG BASE / ARG VERSION before FROM are meta args", () => {
    const dockerfile = loadDockerfile(text);
    expect(dockerfile.metaArgs.flatMap((a) => a.args.map((d) => d.name))).toEqual(["BASE", "VERSION"]);
  });

  test("FROM ${BASE} AS Deps / FROM deps AS app / FROM app make three stages", () => {
    const { stages, instructions } = loadDockerfile(text);
    expect(instructions).toHaveLength(9);
    expect(stages.map((s) => [s.index, s.name, s.baseName, s.instructions.map((i) => i.kind)])).toEqual([
      [0, "deps", "${BASE}", ["RUN"]],
      [1, "app", "deps", ["ONBUILD", "COPY"]],
      [2, undefined, "app", ["HEALTHCHECK"]],
    ]);
    expect(stages[0].span).toEqual({
      start: { line: 4, column: 1 },
      end: expect.objectContaining({ line: 7 }),
    });
  });

  test("RUN <<EOF keeps its heredoc", () => {
    const run = loadDockerfile(text).stages[0].instructions[0];
    expect(run.kind === "RUN" && run.heredocs.map((h) => [h.name, h.content])).toEqual([
      ["EOF", "apk add curl\n"],
    ]);
  });

  test("ONBUILD COPY . /src is typed as a COPY trigger", () => {
    const onbuild = loadDockerfile(text).stages[1].instructions[0];
    expect(onbuild.kind === "ONBUILD" && [onbuild.trigger.kind, onbuild.expression]).toEqual([
      "COPY",
      "COPY . /src",
    ]);
  });

  test("the only warning is StageNameCasing for Deps", () => {
    expect(
      loadDockerfile(text).warnings.map((w) => [w.rule, w.span.start.line, w.span.start.column]),
    ).toEqual([["StageNameCasing", 4, 17]]);
  });

  test("opts.file names the file in errors", () => {
    expect(() => loadDockerfile("FROM a\nCOPPY x y\n", { file: "ci/Dockerfile.test" })).toThrow(
      "ci/Dockerfile.test:2:1: unknown instruction: COPPY (did you mean COPY?)",
    );
  });
});
