import * as fs from "node:fs";
import { UsageError } from "../../src/errors";
import { DockerfileError } from "../../src/parser/errors";
import { imageResolver, makeContext, planOf } from "./helpers";

async function planFailure(dockerfile: string, buildArgs?: Record<string, string>): Promise<unknown> {
  const contextDir = makeContext({ a: "x" });
  try {
    await planOf({
      dockerfile,
      contextDir,
      images: imageResolver({ base: {} }),
      ...(buildArgs ? { buildArgs } : {}),
    });
  } catch (err) {
    return err;
  } finally {
    fs.rmSync(contextDir, { recursive: true, force: true });
  }
  throw new Error("expected the plan to fail");
}

const NUL = "contains a NUL byte, which no path, name or argument can hold";
const LONE = "contains a lone surrogate (U+D800): it is not valid Unicode and has no UTF-8 form";

/** Each line is the second line of a `FROM scratch` Dockerfile; `column` is where the error points. */
const cases: [string, string, number][] = [
  ["COPY source", "COPY a\0b /x", 7],
  ["COPY destination", "COPY a /x\0", 10],
  ["ADD source", "ADD a\0b /x", 6],
  ["COPY --from", "COPY --from=st\0ge a /x", 6],
  ["COPY --chown", "COPY --chown=r\0t a /x", 15],
  ["WORKDIR", "WORKDIR /a\0b", 11],
  ["USER", "USER r\0", 7],
  ["ENV name", "ENV a\0=1", 6],
  ["ENV value", "ENV a=b\0c", 8],
  ["LABEL", "LABEL k=v\0", 10],
  ["ARG default", "ARG a=\0", 7],
  ["VOLUME", "VOLUME /v\0", 10],
  ["RUN (shell form)", "RUN echo \0", 5],
  ["RUN (exec form)", 'RUN ["echo", "a\0"]', 5],
  ["RUN --mount target", "RUN --mount=type=cache,target=/c\0 true", 5],
  ["CMD", "CMD echo \0", 5],
  ["ENTRYPOINT", "ENTRYPOINT \0", 12],
  ["SHELL", 'SHELL ["/bin/sh", "-c\\u0000"]', 8],
  ["HEALTHCHECK", "HEALTHCHECK CMD \0", 13],
  ["MAINTAINER", "MAINTAINER m\0", 12],
];

describe("NUL bytes and lone surrogates are located errors wherever they would become a path, name or argument", () => {
  it.each(cases)("%s", async (_what, line, column) => {
    const err = await planFailure(`FROM scratch\n${line}\n`);
    expect(err).toBeInstanceOf(DockerfileError);
    const e = err as DockerfileError;
    expect(e.problem).toContain(NUL);
    expect([e.line, e.column]).toEqual([2, column]);
  });

  it("in a global ARG (for FROM) and in FROM", async () => {
    const arg = (await planFailure(`ARG B=ba\0se\nFROM $B\n`)) as DockerfileError;
    expect(arg).toBeInstanceOf(DockerfileError);
    expect([arg.line, arg.column, arg.problem.includes(NUL)]).toEqual([1, 9, true]);
    const from = (await planFailure(`FROM ba\0se\n`)) as DockerfileError;
    expect([from.line, from.column, from.problem.includes(NUL)]).toEqual([1, 8, true]);
  });

  it.each([
    ["COPY source", "COPY a\ud800 /x"],
    ["WORKDIR", "WORKDIR /\udc00"],
    ["ENV", "ENV a=\ud800"],
    ["RUN", "RUN echo \ud800"],
  ])("a lone surrogate in %s", async (_what, line) => {
    const e = (await planFailure(`FROM scratch\n${line}\n`)) as DockerfileError;
    expect(e).toBeInstanceOf(DockerfileError);
    expect(e.problem).toContain(line.includes("\udc00") ? LONE.replace("D800", "DC00") : LONE);
    expect(e.line).toBe(2);
  });

  it("a NUL arriving through a --build-arg is located where it is used", async () => {
    const e = (await planFailure(`FROM scratch\nARG P\nCOPY $P /x\n`, { P: "a\0" })) as DockerfileError;
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('--build-arg "P": the value ' + NUL);
  });

  it("valid text passes: astral characters (surrogate pairs), U+FFFD", async () => {
    const contextDir = makeContext({ "😀": "x" });
    try {
      const p = await planOf({
        dockerfile: "FROM scratch\nCOPY 😀 /\uFFFD/\nENV a=\uFFFD😀\n",
        contextDir,
      });
      expect(p.stages[0].config.config.Env).toContain("a=\uFFFD😀");
    } finally {
      fs.rmSync(contextDir, { recursive: true, force: true });
    }
  });
});
