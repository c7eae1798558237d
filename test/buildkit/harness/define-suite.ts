import * as fs from "node:fs";
import * as path from "node:path";
import {
  buildWithDockerd,
  buildWithTsbuild,
  prebuildWithDockerd,
  prebuildWithTsbuild,
  type BuildOutcome,
} from "./builders";
import { checkUpstream } from "./check";
import { compareImages, type Difference } from "./compare";
import { writeContext } from "./context";
import { dockerEnv } from "./dockerd";
import { CaseHttpServer } from "./http-server";
import { readImageArchive, type ReadImage } from "./image-reader";
import { caseTitle, loadCases, type LoadedCase } from "./load-cases";
import type { CaseResult } from "./results";
import { resultsDir, suiteEnv } from "./suite-env";

interface Built {
  outcome: BuildOutcome;
  image?: ReadImage;
  readError?: string;
  seconds: number;
}

async function timed(fn: () => Promise<BuildOutcome>): Promise<Built> {
  const t0 = Date.now();
  const outcome = await fn();
  const seconds = (Date.now() - t0) / 1000;
  if (!outcome.ok) return { outcome, seconds };
  try {
    return { outcome, image: await readImageArchive(outcome.archive), seconds };
  } catch (err) {
    return { outcome, readError: (err as Error).message, seconds };
  }
}

function outcomeDifference(ts: Built, bk: Built): Difference[] {
  if (ts.outcome.ok === bk.outcome.ok) return [];
  const say = (b: Built) =>
    b.outcome.ok ? "succeeded" : `failed: ${b.outcome.error.split("\n").slice(-6).join(" | ")}`;
  return [{ field: "outcome", detail: `tsbuild ${say(ts)} / BuildKit ${say(bk)}` }];
}

/**
 * Defines the jest tests of shard `shard` of `of`: per case, one test of upstream's assertions
 * on tsbuild's image (test.failing when the case has a knownFailure) and one comparison with
 * BuildKit 20.10's image (test.failing when it has a knownDifference; not defined when 20.10
 * lacks a feature the case needs).
 */
export function defineSuite(shard: number, of: number): void {
  const all: LoadedCase[] = loadCases().filter((_, i) => i % of === shard);
  for (const { id, c } of all) {
    describe(caseTitle(c), () => {
      let ts: Built;
      let bk: Built | undefined;
      let result: CaseResult;
      beforeAll(async () => {
        const env = suiteEnv();
        const work = path.join(env.state, "work", id);
        const cacheDir = path.join(env.state, `tsbuild-cache-${shard}`);
        const compare = env.dockerSocket !== undefined && !c.buildkit2010;
        const denv = env.dockerSocket ? dockerEnv(env.dockerSocket) : undefined;
        // A server of its own per case: URLs then have upstream's paths (e.g. "/" → __unnamed__).
        const httpServer = c.http ? new CaseHttpServer() : undefined;
        if (httpServer) await httpServer.start();
        const http = httpServer && c.http ? { http: httpServer.serve(c.http) } : {};
        // Each builder gets its own copy of the context (and its own prebuilt image, if any).
        const prepare = async (who: "ts" | "bk"): Promise<{ ctx: string; out: string; error?: string }> => {
          const ctx = path.join(work, who, "context");
          const out = path.join(work, who, "out");
          fs.mkdirSync(out, { recursive: true });
          const prebuilt: string[] = [];
          for (const [i, pre] of (c.prebuild ?? []).entries()) {
            const pctx = path.join(work, who, `prebuild-${i}`);
            const vars = { busybox: env.baseRef, registry: env.registry, ...http, prebuilt };
            writeContext(
              {
                ...c,
                dockerfile: pre.dockerfile,
                files: pre.files ?? {},
                dockerfileName: "Dockerfile",
                buildFile: undefined,
              },
              pctx,
              vars,
            );
            const ref = `${env.registry}/suite-${who}/${id}:base${i}`;
            const error =
              who === "ts"
                ? await prebuildWithTsbuild(pctx, ref, cacheDir)
                : await prebuildWithDockerd(pctx, ref, denv!);
            if (error) return { ctx, out, error };
            prebuilt.push(ref);
          }
          writeContext(c, ctx, { busybox: env.baseRef, registry: env.registry, ...http, prebuilt });
          return { ctx, out };
        };
        const runOne = async (who: "ts" | "bk"): Promise<BuildOutcome> => {
          const p = await prepare(who);
          if (p.error) return { ok: false, error: p.error };
          return who === "ts"
            ? buildWithTsbuild(c, p.ctx, p.out, cacheDir)
            : buildWithDockerd(c, p.ctx, p.out, denv!);
        };
        try {
          [ts, bk] = await Promise.all([
            timed(() => runOne("ts")),
            compare ? timed(() => runOne("bk")) : Promise.resolve(undefined),
          ]);
        } finally {
          // A listening server keeps the jest worker alive past the suite ("failed to exit gracefully").
          await httpServer?.stop();
        }
        const tsFailures = ts.readError
          ? [`reading tsbuild's archive: ${ts.readError}`]
          : checkUpstream(c, ts.outcome, ts.image, env.baseRef);
        let differences: Difference[] = [];
        let buildkitFailures: string[] = [];
        if (bk) {
          buildkitFailures = bk.readError
            ? [`reading BuildKit's archive: ${bk.readError}`]
            : checkUpstream(c, bk.outcome, bk.image, env.baseRef);
          const ignore = c.compareIgnore?.fields ?? [];
          differences = outcomeDifference(ts, bk).filter((d) => !ignore.includes(d.field));
          if (ts.image && bk.image) differences.push(...compareImages(ts.image, bk.image, ignore));
          if (bk.readError) differences.push({ field: "outcome", detail: bk.readError });
        }
        result = {
          id,
          title: caseTitle(c),
          upstream: c.upstream,
          tsbuild: tsFailures.length === 0 ? "pass" : "fail",
          tsbuildFailures: tsFailures,
          ...(c.knownFailure ? { knownFailure: c.knownFailure } : {}),
          comparison: !bk
            ? c.buildkit2010
              ? "upstream-only"
              : "not-run"
            : differences.length
              ? "differs"
              : "identical",
          differences,
          buildkitFailures,
          ...(c.knownDifference ? { knownDifference: c.knownDifference } : {}),
          ...(c.buildkit2010 ? { skipReason: c.buildkit2010.skip } : {}),
          ...(c.compareIgnore ? { ignored: c.compareIgnore.fields } : {}),
          seconds: { tsbuild: ts.seconds, ...(bk ? { buildkit: bk.seconds } : {}) },
        };
        fs.writeFileSync(path.join(resultsDir(env.state), `${id}.json`), JSON.stringify(result, null, 2));
        if (process.env.TSBUILD_BK_KEEP !== "1") fs.rmSync(work, { recursive: true, force: true });
      }, 900_000);

      (c.knownFailure ? test.failing : test)("upstream assertions on tsbuild's image", () => {
        expect(result.tsbuildFailures).toEqual([]);
      });

      if (!c.buildkit2010 && process.env.TSBUILD_BK_NO_DOCKERD !== "1") {
        (c.knownDifference ? test.failing : test)("same image as BuildKit 20.10", () => {
          expect(result.differences.map((d) => `${d.field}: ${d.detail}`)).toEqual([]);
        });
      }
    });
  }
}
