import { contextFingerprinter } from "../../src/engine/context-fingerprinter";
import { openContext } from "../../src/context";
import type { Platform } from "../../src/image/descriptor";
import { formatPlatform } from "../../src/image/platform";
import { DockerfileError } from "../../src/parser/errors";
import { loadDockerfile } from "../../src/parser/load";
import type { ImageResolver } from "../../src/planner/dispatch/inputs";
import type { Plan } from "../../src/planner/plan";
import { plan } from "../../src/planner/planner";
import { makeContext } from "./helpers";
import * as fs from "node:fs";

/** Stage platforms and the automatic platform args, as BuildKit scopes them. */
const amd64: Platform = { os: "linux", architecture: "amd64" };
const arm64: Platform = { os: "linux", architecture: "arm64" };
let ctx: string;
beforeAll(() => (ctx = makeContext({})));
afterAll(() => fs.rmSync(ctx, { recursive: true, force: true }));

/** A resolver that serves every image for any platform and records what it was asked. */
function recordingResolver(asked: string[]): ImageResolver {
  return {
    async resolve(ref, platform) {
      asked.push(`${ref} ${formatPlatform(platform)}`);
      const hex = Buffer.from(`${ref}-${platform.architecture}`).toString("hex").padEnd(64, "0").slice(0, 64);
      return {
        ref,
        digest: `sha256:${hex}`,
        config: {
          architecture: platform.architecture,
          os: platform.os,
          config: {},
          rootfs: { type: "layers", diff_ids: [] },
        },
      };
    },
  };
}

async function planFor(dockerfile: string, target: Platform, asked: string[] = []): Promise<Plan> {
  const context = await openContext(ctx, {});
  return plan(
    loadDockerfile(dockerfile),
    { buildPlatform: amd64 },
    { images: recordingResolver(asked), context: contextFingerprinter(context), platform: target },
  );
}

const CROSS = [
  "FROM --platform=$BUILDPLATFORM img AS build",
  "ARG TARGETARCH",
  "ARG BUILDARCH",
  "LABEL t=$TARGETARCH b=$BUILDARCH",
  "RUN make",
  "FROM build AS child",
  "FROM img",
  "LABEL t=x$TARGETARCH",
  "COPY --from=child /a /a",
  "",
].join("\n");

test("FROM --platform=$BUILDPLATFORM: the stage and its children run on the build platform", async () => {
  const asked: string[] = [];
  const p = await planFor(CROSS, arm64, asked);
  expect(p.stages.map((s) => [s.index, formatPlatform(s.platform)])).toEqual([
    [0, "linux/amd64"],
    [1, "linux/amd64"],
    [2, "linux/arm64"],
  ]);
  expect(asked.sort()).toEqual(["img linux/amd64", "img linux/arm64"]);
  // TARGET* inside the build stage are the build's target; undeclared they are empty.
  expect(p.stages[0].config.config.Labels).toEqual({ t: "arm64", b: "amd64" });
  expect(p.stages[2].config.config.Labels).toEqual({ t: "x" });
});

test("the build-platform stage has the same keys for every target; the target stage does not", async () => {
  const onAmd = await planFor(CROSS.replace("ARG TARGETARCH\n", "").replace("t=$TARGETARCH ", ""), amd64);
  const onArm = await planFor(CROSS.replace("ARG TARGETARCH\n", "").replace("t=$TARGETARCH ", ""), arm64);
  expect(onArm.stages[0].finalKey).toBe(onAmd.stages[0].finalKey);
  expect(onArm.stages[2].finalKey).not.toBe(onAmd.stages[2].finalKey);
  // Reading TARGETARCH makes the build stage per target.
  const withArg = await planFor(CROSS, arm64);
  const withArgAmd = await planFor(CROSS, amd64);
  expect(withArg.stages[0].steps.at(-1)?.cacheKey).not.toBe(withArgAmd.stages[0].steps.at(-1)?.cacheKey);
});

test("FROM scratch keys on the platform", async () => {
  const df = "FROM scratch\nRUN true\n";
  expect((await planFor(df, arm64)).stages[0].finalKey).not.toBe(
    (await planFor(df, amd64)).stages[0].finalKey,
  );
});

test("FROM --platform with an unknown value is a located Dockerfile error naming it", async () => {
  const err = await planFor("ARG P=linux/amd6\nFROM --platform=$P scratch\n", amd64).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DockerfileError);
  expect((err as DockerfileError).line).toBe(2);
  expect((err as Error).message).toMatch(
    /invalid platform "linux\/amd6": "amd6" is not a known architecture/,
  );
});

test("FROM --platform=linux/arm normalises to linux/arm/v7", async () => {
  const p = await planFor("FROM --platform=linux/arm scratch\n", amd64);
  expect(formatPlatform(p.stages[0].platform)).toBe("linux/arm/v7");
  expect(p.stages[0].config.variant).toBe("v7");
});
