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

/** created_by of the history entries the target stage writes, in order. */
async function history(dockerfile: string, buildArgs?: Record<string, string>): Promise<string[]> {
  const images = imageResolver({ base: { Env: ["PATH=/bin"] } });
  const p = await planOf({ dockerfile, contextDir: ctx, images, buildArgs });
  return target(p)
    .steps.filter((s) => s.kind !== "config" || s.history !== false)
    .map((s) => s.createdBy);
}

describe("history created_by as BuildKit writes it", () => {
  it("COPY/ADD: the instruction as written (destination unresolved), --parents/--chown/--chmod kept", async () => {
    const h = await history(
      'FROM scratch\nWORKDIR /w\nARG D=sub\nCOPY a.txt $D/\nCOPY --chown=1:2 --chmod=644 --link a.txt b.txt ./\nCOPY --parents a.txt /p/\nCOPY a.txt ""\nADD --chown=3 a.txt x\nCOPY <<EOF h.txt\nhi\nEOF\n',
    );
    expect(h).toEqual([
      "WORKDIR /w",
      "ARG D=sub",
      "COPY a.txt sub/ # buildkit",
      "COPY --chown=1:2 --chmod=644 a.txt b.txt ./ # buildkit",
      "COPY --parents a.txt /p/ # buildkit",
      "COPY a.txt  # buildkit",
      "ADD --chown=3 a.txt x # buildkit",
      "COPY <<EOF h.txt # buildkit",
    ]);
  });

  it("RUN |N: every ARG in declaration order, a redeclared one once with its last value", async () => {
    const h = await history("FROM base\nARG foo=bar\nARG bar=123\nARG foo=bar2\nARG none\nRUN ls /etc/\n");
    expect(h).toEqual([
      "ARG foo=bar",
      "ARG bar=123",
      "ARG foo=bar2",
      "ARG none",
      "RUN |3 foo=bar2 bar=123 none= /bin/sh -c ls /etc/ # buildkit",
    ]);
  });

  it("ARG shows the --build-arg value, the expanded default or the global value", async () => {
    const h = await history("ARG G=glob\nFROM base\nARG A\nARG B=$A-x G\nENV B=env\nRUN true\n", {
      A: "cli",
    });
    expect(h).toEqual([
      "ARG A=cli",
      "ARG B=cli-x G=glob",
      "ENV B=env",
      "RUN |3 A=cli B=env G=glob /bin/sh -c true # buildkit",
    ]);
  });

  it("CMD/ENTRYPOINT as Go %q lists, SHELL/VOLUME/EXPOSE as %v lists, EXPOSE sorted", async () => {
    const h = await history(
      'FROM base\nSHELL ["/bin/sh", "-ec"]\nCMD echo "hi"\nENTRYPOINT ["ls", "my entrypoint"]\nVOLUME /a /b\nEXPOSE 2375 5000 1234/udp\n',
    );
    expect(h).toEqual([
      "SHELL [/bin/sh -ec]",
      'CMD ["/bin/sh" "-ec" "echo \\"hi\\""]',
      'ENTRYPOINT ["ls" "my entrypoint"]',
      "VOLUME [/a /b]",
      "EXPOSE [1234/udp 2375/tcp 5000/tcp]",
    ]);
  });

  it("HEALTHCHECK as Go's %+v of the config, durations as time.Duration prints them", async () => {
    const h = await history(
      'FROM base\nHEALTHCHECK --interval=5m --timeout=1500ms --retries=3 CMD ["true"]\nHEALTHCHECK NONE\n',
    );
    expect(h).toEqual([
      "HEALTHCHECK {Test:[CMD true] Interval:5m0s Timeout:1.5s StartPeriod:0s StartInterval:0s Retries:3}",
      "HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}",
    ]);
  });

  it("ONBUILD writes no entry (the trigger is in the config); a RUN heredoc with #! runs through the shell", async () => {
    const p = await planOf({
      dockerfile: "FROM base\nONBUILD RUN echo hi\nRUN <<EOF\n#!/bin/sh\necho x\nEOF\n",
      contextDir: ctx,
      images: imageResolver({ base: {} }),
    });
    const t = target(p);
    expect(t.config.config.OnBuild).toEqual(["RUN echo hi"]);
    expect(t.steps.filter((s) => s.kind !== "config" || s.history !== false).map((s) => s.createdBy)).toEqual(
      ["RUN /bin/sh -c /dev/pipes/EOF # buildkit"],
    );
  });
});

describe("behaviour BuildKit's users rely on", () => {
  const errorOf = (dockerfile: string, buildArgs?: Record<string, string>) =>
    planOf({ dockerfile, contextDir: ctx, buildArgs, images: imageResolver({ base: {} }) }).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );

  it("a wildcard is one source however many files it matches: no trailing / needed", async () => {
    expect(await errorOf("FROM scratch\nCOPY a*.txt one.txt\nADD *.txt /dest\n")).toBeUndefined();
    // Two sources as written still need a directory destination.
    expect(await errorOf("FROM scratch\nCOPY a.txt b.txt /dest\n")).toMatch(
      /When using COPY with more than one source file, the destination must be a directory and end with a \//,
    );
  });

  it("an ARG default is not evaluated when --build-arg gives the value (global and stage)", async () => {
    const df =
      'ARG FOO=${FOO:?"custom error"}\nFROM base\nARG BAR=${NOPE:?"bar missing"}\nARG FOO\nLABEL x=$FOO$BAR\n';
    expect(await errorOf(df, { FOO: "bar", BAR: "123" })).toBeUndefined();
    expect(await errorOf(df, { BAR: "123" })).toMatch(/custom error/);
    expect(await errorOf(df, { FOO: "bar" })).toMatch(/bar missing/);
  });

  it("a proxy build arg in either case sets both spellings in RUN's environment", async () => {
    for (const name of ["http_proxy", "HTTP_PROXY", "Http_Proxy"]) {
      const p = await planOf({
        dockerfile: "FROM scratch\nRUN true\n",
        contextDir: ctx,
        buildArgs: { [name]: "hp", no_proxy: "np" },
      });
      const run = target(p).steps.find((s) => s.kind === "run");
      expect(run?.kind === "run" && run.state.buildArgs).toEqual([
        "HTTP_PROXY=hp",
        "NO_PROXY=np",
        "http_proxy=hp",
        "no_proxy=np",
      ]);
      // Never in history or the cache key.
      expect(run?.createdBy).toBe("RUN /bin/sh -c true # buildkit");
    }
  });

  it("COPY --from a stage defined later is BuildKit's located error", async () => {
    const msg = await errorOf(
      "FROM base AS target\nCOPY --from=build /d2 /out\nFROM base AS build\nFROM target\n",
    );
    expect(msg).toMatch(
      /Dockerfile:2:.*cannot copy from stage "build", it needs to be defined before current stage "target"/,
    );
  });

  it("ADD --checksum needs one HTTP(S) or Git source", async () => {
    const sum = "sha256:" + "0".repeat(64);
    expect(await errorOf(`FROM scratch\nADD --checksum=${sum} a.txt /a\n`)).toMatch(
      /checksum requires HTTP\(S\) or Git sources/,
    );
    expect(await errorOf(`FROM scratch\nADD --checksum=${sum} a.txt b.txt /d/\n`)).toMatch(
      /checksum can't be specified for multiple sources/,
    );
  });
});

describe("ONBUILD triggers", () => {
  it("ONBUILD RUN <<EOF stores the body with the trigger; a build on that image runs it", async () => {
    const p = await planOf({
      dockerfile: 'FROM base\nONBUILD RUN <<EOF\necho "hello world" >> /dest\nEOF\n',
      contextDir: ctx,
      images: imageResolver({ base: {} }),
    });
    const onbuild = target(p).config.config.OnBuild ?? [];
    expect(onbuild).toEqual(['RUN <<EOF\necho "hello world" >> /dest\nEOF']);
    const q = await planOf({
      dockerfile: "FROM withtrigger\n",
      contextDir: ctx,
      images: imageResolver({ withtrigger: { OnBuild: onbuild } }),
    });
    const run = target(q).steps.find((s) => s.kind === "run");
    expect(run?.kind === "run" && run.argv).toEqual(["/bin/sh", "-c", 'echo "hello world" >> /dest\n']);
  });

  it("a stage FROM a stage runs its ONBUILD COPY --from=<stage>, which becomes a dependency", async () => {
    const p = await planOf({
      dockerfile:
        "FROM scratch AS src\nCOPY a.txt /in\nFROM scratch AS base\nONBUILD COPY --from=src /in /out\nFROM base AS mid\nFROM scratch\nCOPY --from=mid /out /\n",
      contextDir: ctx,
    });
    const mid = p.stages.find((s) => s.name === "mid");
    expect(mid?.dependsOn.sort()).toEqual([0, 1]);
    expect(mid?.steps.filter((s) => s.kind === "copy").map((s) => s.createdBy)).toEqual([
      "COPY /in /out # buildkit",
    ]);
  });
});

describe("RUN --mount fields expand before they are checked (BuildKit)", () => {
  it("type=$VAR from an ARG or ENV (inherited across stages) is the expanded type", async () => {
    const p = await planOf({
      dockerfile:
        "FROM scratch AS one\nARG T=cache\nENV ID=mycache\nRUN --mount=type=$T,id=$ID,target=/c true\nFROM one\nENV T2=tmpfs\nRUN --mount=type=$T2,target=/t,size=1m true\n",
      contextDir: ctx,
    });
    const mounts = p.stages.flatMap((s) => s.steps.flatMap((st) => (st.kind === "run" ? st.mounts : [])));
    expect(mounts.map((m) => [m.type, m.target, m.id])).toEqual([
      ["cache", "/c", "mycache"],
      ["tmpfs", "/t", undefined],
    ]);
  });

  it("an expanded type that is not one is still an error", async () => {
    await expect(
      planOf({
        dockerfile: "FROM scratch\nARG T=tmp\nRUN --mount=type=$T,target=/c true\n",
        contextDir: ctx,
      }),
    ).rejects.toThrow(/invalid --mount after expansion/);
  });
});

describe("error wording BuildKit users know", () => {
  it("an unknown --target: BuildKit's message and suggestion (distance below 3)", async () => {
    await expect(
      planOf({ dockerfile: "FROM scratch AS build\nFROM scratch\n", contextDir: ctx, target: "bulid" }),
    ).rejects.toThrow('target stage "bulid" could not be found (did you mean build?)');
    await expect(
      planOf({ dockerfile: "FROM scratch AS build\n", contextDir: ctx, target: "zzzzz" }),
    ).rejects.toThrow(/^target stage "zzzzz" could not be found$/);
  });

  it("no stage, and a numeric-looking --chmod that is not octal", async () => {
    await expect(planOf({ dockerfile: "ARG foo=bar\n", contextDir: ctx })).rejects.toThrow(
      /dockerfile contains no stages to build/,
    );
    for (const mode of ["64a", "10000"])
      await expect(
        planOf({ dockerfile: `FROM scratch\nCOPY --chmod=${mode} a.txt /\n`, contextDir: ctx }),
      ).rejects.toThrow(
        `invalid chmod parameter: '${mode}'. it should be octal string and between 0 and 07777`,
      );
  });
});
