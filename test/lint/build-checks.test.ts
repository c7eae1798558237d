import * as fs from "node:fs";
import { openContext } from "../../src/context";
import { contextFingerprinter } from "../../src/engine/context-fingerprinter";
import type { ImageResolver } from "../../src/planner/dispatch/inputs";
import { loadDockerfile } from "../../src/parser/load";
import { DockerfileError } from "../../src/parser/errors";
import type { Plan } from "../../src/planner/plan";
import { plan } from "../../src/planner/planner";
import { ALL_RULES } from "../../src/lint";
import { amd64, imageResolver, makeContext } from "../planner/helpers";

/** Plans `dockerfile` against a context of `files` and returns its lint findings as `Rule@line: message`. */
async function check(
  dockerfile: string,
  opts: { files?: Record<string, string>; buildArgs?: Record<string, string>; images?: ImageResolver } = {},
): Promise<string[]> {
  const dir = makeContext({ Dockerfile: dockerfile, ...(opts.files ?? {}) });
  try {
    const context = await openContext(dir);
    const p: Plan = await plan(
      loadDockerfile(dockerfile),
      { target: undefined, buildArgs: new Map(Object.entries(opts.buildArgs ?? {})), buildPlatform: amd64 },
      {
        images: opts.images ?? imageResolver({ alpine: { Env: ["PATH=/bin", "HOME=/root"] } }),
        context: contextFingerprinter(context),
        platform: amd64,
        isIgnored: (path) => context.isIgnored(path),
      },
    );
    return p.warnings.map((w) => `${w.rule}@${w.span?.start.line ?? 0}: ${w.message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("UndefinedVar", () => {
  test("COPY a$SOURC with SOURC undeclared → warning with a suggestion", async () => {
    expect(await check("FROM alpine\nARG SOURCE=a\nCOPY a$SOURC /x\n", { files: { a: "" } })).toEqual([
      "UndefinedVar@3: Usage of undefined variable '$SOURC' (did you mean $SOURCE?)",
    ]);
  });

  test("declared ARG (even without value), ENV, the base image's ENV and ${X:-default} are defined", async () => {
    const df = [
      "FROM alpine",
      "ARG NOVALUE",
      "ENV APP=/srv",
      "WORKDIR $APP/$NOVALUE",
      "ENV P=$PATH:$HOME",
      "LABEL x=${MISSING:-fallback}",
      "RUN echo $NOT_EXPANDED_BY_BUILDKIT",
    ].join("\n");
    expect(await check(df)).toEqual([]);
  });

  test("ENV used before it is set → warning; proxy args are defined", async () => {
    expect(await check("FROM scratch\nWORKDIR /$DIR\nENV DIR=x http=$HTTP_PROXY\n")).toEqual([
      "UndefinedVar@2: Usage of undefined variable '$DIR'",
    ]);
  });

  test("# check=skip=UndefinedVar", async () => {
    expect(await check("# check=skip=UndefinedVar\nFROM scratch\nWORKDIR /$DIR\n")).toEqual([]);
  });
});

describe("InvalidDefaultArgInFrom", () => {
  const alpines = imageResolver({ "alpine:3": {}, alpine: {} });
  test("ARG VERSION without default / FROM alpine:$VERSION → warning", async () => {
    expect(
      await check("ARG VERSION\nFROM alpine:$VERSION\n", { buildArgs: { VERSION: "3" }, images: alpines }),
    ).toContain(
      "InvalidDefaultArgInFrom@2: Default value for ARG alpine:$VERSION results in empty or invalid base image name",
    );
  });

  test("ARG IMAGE (no default) / FROM $IMAGE → warning", async () => {
    const out = await check("ARG IMAGE\nFROM $IMAGE\n", { buildArgs: { IMAGE: "alpine" }, images: alpines });
    expect(out).toContain(
      "InvalidDefaultArgInFrom@2: Default value for ARG $IMAGE results in empty or invalid base image name",
    );
  });

  test("defaults that name an image, and ${VERSION:-3} → no warning", async () => {
    const images = imageResolver({ "alpine:3": {}, alpine: {} });
    expect(await check("ARG VERSION=3\nFROM alpine:$VERSION\n", { images })).toEqual([]);
    expect(await check("ARG VERSION\nFROM alpine:${VERSION:-3}\n", { images })).toEqual([]);
  });
});

describe("CopyIgnoredFile (experimental)", () => {
  const files = { ".dockerignore": "tmp/\n", "tmp/a.txt": "a", "ok.txt": "o" };
  test("COPY of an ignored file → warning when experimental=CopyIgnoredFile", async () => {
    const df = "# check=experimental=CopyIgnoredFile\nFROM scratch\nCOPY ./tmp/a.txt /a\nCOPY ok.txt /o\n";
    await expect(check(df, { files })).rejects.toThrow(); // the planner fails on the ignored source
  });

  test("found by --call check's planning (sources not read), silent unless asked for", async () => {
    const dir = makeContext({ ...files });
    try {
      const context = await openContext(dir);
      const run = async (df: string): Promise<string[]> => {
        const p = await plan(
          loadDockerfile(df),
          { target: undefined, buildPlatform: amd64 },
          {
            images: imageResolver(),
            context: { fingerprint: async () => "" },
            platform: amd64,
            isIgnored: (path) => context.isIgnored(path),
          },
        );
        return p.warnings.map((w) => `${w.rule}@${w.span?.start.line ?? 0}: ${w.message}`);
      };
      expect(
        await run("# check=experimental=all\nFROM scratch\nCOPY ./tmp/a.txt /a\nCOPY ok.txt /o\n"),
      ).toEqual([
        'CopyIgnoredFile@3: Attempting to Copy file "./tmp/a.txt" that is excluded by .dockerignore',
      ]);
      expect(await run("FROM scratch\nCOPY ./tmp/a.txt /a\n")).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("InvalidBaseImagePlatform", () => {
  test("an arm64 base on an amd64 build → warning; amd64 → none", async () => {
    const images: ImageResolver = {
      async resolve(ref) {
        const architecture = ref === "armonly" ? "arm64" : "amd64";
        return {
          ref,
          digest: `sha256:${"a".repeat(64)}`,
          config: { architecture, os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [] } },
        };
      },
    };
    expect(await check("FROM armonly\n", { images })).toEqual([
      'InvalidBaseImagePlatform@1: Base image armonly was pulled with platform "linux/arm64", expected "linux/amd64" for current build',
    ]);
    expect(await check("FROM other\n", { images })).toEqual([]);
  });
});

describe("# check=error=true on build-level rules", () => {
  test("fails the plan with the findings", async () => {
    await expect(check("# check=error=true\nFROM scratch\nWORKDIR /$DIR\n")).rejects.toThrow(DockerfileError);
  });
});

test("ALL_RULES is BuildKit's rule set, each with a description and (but one) a docs page", () => {
  const names = ALL_RULES.map((r) => r.name).sort();
  expect(names).toEqual(
    [
      "ConsistentInstructionCasing",
      "CopyIgnoredFile",
      "DuplicateStageName",
      "ExposeInvalidFormat",
      "ExposeProtoCasing",
      "FromAsCasing",
      "FromPlatformFlagConstDisallowed",
      "InvalidBaseImagePlatform",
      "InvalidDefaultArgInFrom",
      "InvalidDefinitionDescription",
      "JSONArgsRecommended",
      "LegacyKeyValueFormat",
      "MaintainerDeprecated",
      "MultipleInstructionsDisallowed",
      "NoEmptyContinuation",
      "RedundantTargetPlatform",
      "ReservedStageName",
      "SecretsUsedInArgOrEnv",
      "StageNameCasing",
      "UndefinedArgInFrom",
      "UndefinedVar",
      "WorkdirRelativePath",
    ].sort(),
  );
  for (const r of ALL_RULES) {
    expect(r.description).not.toBe("");
    if (r.name !== "InvalidBaseImagePlatform")
      expect(r.url).toMatch(/^https:\/\/docs\.docker\.com\/go\/dockerfile\/rule\//);
  }
});
