import { DockerfileError } from "../../../src/parser/errors";
import { lintLines, summary } from "./lint-lines";

describe("lint rules", () => {
  test("a clean Dockerfile has no warnings", () => {
    expect(lintLines("FROM alpine AS build", "WORKDIR /src", 'CMD ["sh"]')).toEqual([]);
  });

  test("CMD echo hi → JSONArgsRecommended", () => {
    const [w] = lintLines("FROM alpine", "CMD echo hi");
    expect(w).toEqual({
      rule: "JSONArgsRecommended",
      message: "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
      span: expect.objectContaining({ start: { line: 2, column: 1 } }),
      url: "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
    });
  });

  test('SHELL ["/bin/bash", "-c"] then ENTRYPOINT run.sh → no JSONArgsRecommended', () => {
    expect(lintLines("FROM alpine", 'SHELL ["/bin/bash", "-c"]', "ENTRYPOINT run.sh")).toEqual([]);
  });

  test('FROM a AS sh / SHELL ["/bin/bash", "-c"] / FROM sh / CMD run.sh → the shell is inherited', () => {
    expect(lintLines("FROM a AS sh", 'SHELL ["/bin/bash", "-c"]', "FROM sh", "CMD run.sh")).toEqual([]);
  });

  test("FROM alpine as build → FromAsCasing", () => {
    const [w] = lintLines("FROM alpine as build");
    expect(w.rule).toBe("FromAsCasing");
    expect(w.message).toBe("'as' and 'FROM' keywords' casing do not match");
    expect(w.span.start.column).toBe(13);
  });

  test("from alpine as build → no FromAsCasing", () => {
    expect(summary(lintLines("from alpine as build", "run true"))).toEqual([]);
  });

  test("FROM alpine AS Build → StageNameCasing", () => {
    const [w] = lintLines("FROM alpine AS Build");
    expect(w.message).toBe("Stage name 'Build' should be lowercase");
    expect(summary([w])).toEqual(["StageNameCasing@1:16"]);
  });

  test("MAINTAINER me → MaintainerDeprecated", () => {
    expect(summary(lintLines("FROM alpine", "MAINTAINER me"))).toEqual(["MaintainerDeprecated@2:1"]);
  });

  test("run true among uppercase → ConsistentInstructionCasing", () => {
    const warnings = lintLines("FROM alpine", "run true", "RUN false", "Copy a /b");
    expect(summary(warnings)).toEqual(["ConsistentInstructionCasing@2:1", "ConsistentInstructionCasing@4:1"]);
    expect(warnings[0].message).toBe(
      "Command 'run' should match the case of the command majority (uppercase)",
    );
  });

  test("FROM a AS x / FROM b AS X → DuplicateStageName", () => {
    const warnings = lintLines("FROM a AS x", "FROM b AS x");
    expect(summary(warnings)).toEqual(["DuplicateStageName@2:11"]);
    expect(warnings[0].message).toBe('Duplicate stage name "x", stage names should be unique');
  });

  test("FROM alpine:$VERSION → UndefinedArgInFrom", () => {
    const warnings = lintLines("ARG VERSIN=3", "FROM alpine:$VERSION");
    expect(summary(warnings)).toEqual(["UndefinedArgInFrom@2:6"]);
    expect(warnings[0].message).toBe("FROM argument 'VERSION' is not declared (did you mean VERSIN?)");
  });

  test("ARG VERSION / FROM --platform=$BUILDPLATFORM alpine:${VERSION} → no UndefinedArgInFrom", () => {
    expect(lintLines("ARG VERSION", "FROM --platform=$BUILDPLATFORM alpine:${VERSION}")).toEqual([]);
  });

  test("two CMDs in one stage → MultipleInstructionsDisallowed on the first", () => {
    const warnings = lintLines("FROM a", 'CMD ["a"]', 'CMD ["b"]', "FROM b", 'CMD ["c"]');
    expect(summary(warnings)).toEqual(["MultipleInstructionsDisallowed@2:1"]);
    expect(warnings[0].message).toBe(
      "Multiple CMD instructions should not be used in the same stage because only the last one will be used",
    );
  });

  test("WORKDIR app → WorkdirRelativePath; after WORKDIR /srv it is fine", () => {
    expect(summary(lintLines("FROM a", "WORKDIR app", "WORKDIR /srv", "WORKDIR web"))).toEqual([
      "WorkdirRelativePath@2:1",
    ]);
  });

  test("FROM alpine AS scratch → ReservedStageName", () => {
    expect(summary(lintLines("FROM alpine AS scratch"))).toEqual(["ReservedStageName@1:16"]);
  });

  test("ENV PATH /bin → LegacyKeyValueFormat", () => {
    const [w] = lintLines("FROM a", "ENV PATH /bin");
    expect(w.message).toBe('"ENV key=value" should be used instead of legacy "ENV key value" format');
  });

  test("ARG GITHUB_TOKEN / ENV PUBLIC_KEY=x → SecretsUsedInArgOrEnv for the token only", () => {
    const warnings = lintLines("FROM a", "ARG GITHUB_TOKEN", "ENV PUBLIC_KEY=x");
    expect(summary(warnings)).toEqual(["SecretsUsedInArgOrEnv@2:5"]);
    expect(warnings[0].message).toBe(
      'Do not use ARG or ENV instructions for sensitive data (ARG "GITHUB_TOKEN")',
    );
  });

  test("FROM --platform=linux/amd64 alpine → FromPlatformFlagConstDisallowed", () => {
    expect(summary(lintLines("FROM --platform=linux/amd64 alpine"))).toEqual([
      "FromPlatformFlagConstDisallowed@1:6",
    ]);
  });

  test("FROM --platform=$TARGETPLATFORM alpine → RedundantTargetPlatform", () => {
    expect(summary(lintLines("FROM --platform=$TARGETPLATFORM alpine"))).toEqual([
      "RedundantTargetPlatform@1:6",
    ]);
  });

  test("EXPOSE 80/TCP 127.0.0.1:8080:80 → ExposeProtoCasing, ExposeInvalidFormat", () => {
    expect(summary(lintLines("FROM a", "EXPOSE 80/TCP 127.0.0.1:8080:80"))).toEqual([
      "ExposeProtoCasing@2:8",
      "ExposeInvalidFormat@2:15",
    ]);
  });
});

describe("# check directive", () => {
  test("# check=skip=JSONArgsRecommended,StageNameCasing", () => {
    const warnings = lintLines(
      "# check=skip=JSONArgsRecommended,StageNameCasing",
      "FROM a AS Build",
      "CMD run",
      "MAINTAINER me",
    );
    expect(summary(warnings)).toEqual(["MaintainerDeprecated@4:1"]);
  });

  test("# check=skip=all", () => {
    expect(lintLines("# check=skip=all", "FROM a AS Build", "CMD run")).toEqual([]);
  });

  test("# check=error=true turns warnings into one DockerfileError at the first", () => {
    let caught: unknown;
    try {
      lintLines("# check=error=true", "FROM a AS Build", "CMD run");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DockerfileError);
    const err = caught as DockerfileError;
    expect([err.line, err.column]).toEqual([2, 11]);
    expect(err.problem).toBe(
      [
        "2 lint warnings with check=error=true:",
        "  Dockerfile:2:11: StageNameCasing: Stage name 'Build' should be lowercase",
        "  Dockerfile:3:1: JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
      ].join("\n"),
    );
  });

  test("# check=error=true;skip=all passes", () => {
    expect(lintLines("# check=error=true;skip=all", "FROM a AS Build")).toEqual([]);
  });

  test("# check=error=maybe", () => {
    expect(() => lintLines("# check=error=maybe", "FROM a")).toThrow(
      "Dockerfile:1:1: invalid check directive: error=maybe (expected true or false)",
    );
  });

  test("# check=sikp=all", () => {
    expect(() => lintLines("# check=sikp=all", "FROM a")).toThrow(/invalid check directive option "sikp"/);
  });
});

describe("InvalidDefinitionDescription (experimental)", () => {
  const exp = "# check=experimental=InvalidDefinitionDescription";

  test("a comment above FROM … AS / ARG that does not start with the name → warning", () => {
    const warnings = lintLines(
      exp,
      "# a non-descriptive comment",
      "FROM scratch AS base",
      "",
      "# another",
      "ARG VERSION=1",
    );
    expect(summary(warnings)).toEqual([
      "InvalidDefinitionDescription@3:1",
      "InvalidDefinitionDescription@6:1",
    ]);
    expect(warnings[0].message).toBe(
      "Comment for build stage should follow the format: `# base <description>`",
    );
    expect(warnings[1].message).toBe("Comment for ARG should follow the format: `# VERSION <description>`");
  });

  test("descriptions that start with the name, or a blank line in between → none", () => {
    expect(
      lintLines(exp, "# base is a stage", "FROM scratch AS base", "# VERSION the version", "ARG VERSION=1"),
    ).toEqual([]);
    expect(lintLines(exp, "# a comment", "", "FROM scratch AS base")).toEqual([]);
  });

  test("not run unless asked for (experimental)", () => {
    expect(lintLines("# a non-descriptive comment", "FROM scratch AS base")).toEqual([]);
  });
});
