import * as path from "node:path";
import { CacheStore, resolveCacheDir } from "../cache";
import { openContext } from "../context";
import { resolveNetworkLimits } from "../net/limits";
import type { Span } from "../parser/ast";
import { DockerfileError } from "../parser/errors";
import { loadDockerfile, type Dockerfile } from "../parser/load";
import { plan } from "../planner/planner";
import { hostPlatform, parsePlatforms } from "../planner/platform";
import { ruleInfo } from "../lint";
import { BaseImages } from "./base-images";
import type { BuildOptions } from "./build-options";
import { displayPath, readDockerfile } from "./build";

/** One finding of `--call check`, in the fields of BuildKit's lint result. */
export interface CheckWarning {
  rule: string;
  description: string;
  url: string;
  message: string;
  span?: Span;
}

/** What `--call check` reports: the findings, the source they point into, and a failure if any. */
export interface CheckReport {
  /** The Dockerfile's display name and text (for source excerpts). */
  file: string;
  text: string;
  warnings: CheckWarning[];
  /** `# check=error=true` with findings, or an error that stops the build before it runs. */
  error?: { message: string; span?: Span };
  /** The parsed Dockerfile, when it parsed. */
  dockerfile?: Dockerfile;
}

export type CheckOptions = Pick<
  BuildOptions,
  | "context"
  | "dockerfile"
  | "dockerfileText"
  | "buildArgs"
  | "target"
  | "platform"
  | "cacheDir"
  | "env"
  | "pull"
  | "insecureRegistries"
  | "signal"
  | "network"
>;

/**
 * `--call check`: every lint rule over the Dockerfile and the build's inputs (build args, base
 * image configs, .dockerignore), without running a step. Base images are resolved as a build
 * would (their configs define variables and platforms); the context's files are not read.
 */
export async function checkBuild(options: CheckOptions): Promise<CheckReport> {
  const env = options.env ?? process.env;
  const contextDir = path.resolve(options.context);
  const dockerfilePath = path.resolve(contextDir, options.dockerfile ?? "Dockerfile");
  const file = options.dockerfileText !== undefined ? "Dockerfile" : displayPath(dockerfilePath);
  const text =
    options.dockerfileText ??
    (await readDockerfile(contextDir, dockerfilePath, options.dockerfile !== undefined));
  const report: CheckReport = { file, text, warnings: [] };
  let dockerfile: Dockerfile;
  try {
    dockerfile = loadDockerfile(text, { file, lintErrorsAsWarnings: true });
  } catch (err) {
    if (!(err instanceof DockerfileError)) throw err;
    report.error = { message: err.problem, span: spanOf(err) };
    return report;
  }
  report.dockerfile = dockerfile;
  const context = await openContext(contextDir, { dockerfilePath });
  const store = await CacheStore.open(resolveCacheDir({ cacheDir: options.cacheDir, env }));
  // A session, as builds hold one: prune must not take blobs a pull is writing.
  const session = await store.beginBuild();
  // Checked against the first platform: every platform's plan comes from the same Dockerfile.
  const platform =
    options.platform !== undefined ? (parsePlatforms(options.platform)[0] ?? hostPlatform()) : hostPlatform();
  const images = new BaseImages(store, {
    ...(options.pull ? { pull: true } : {}),
    ...(options.insecureRegistries ? { insecure: options.insecureRegistries } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    network: resolveNetworkLimits(options.network, env),
  });
  try {
    const thePlan = await plan(
      dockerfile,
      {
        target: options.target,
        buildArgs: new Map(Object.entries(options.buildArgs ?? {})),
        buildPlatform: hostPlatform(),
        lintErrorsAsWarnings: true,
      },
      {
        images,
        // Checks never read the context's files: sources are not fingerprinted.
        context: { fingerprint: async () => "" },
        platform,
        isIgnored: (p) => context.isIgnored(p),
      },
    );
    for (const w of thePlan.warnings) {
      const info = ruleInfo(w.rule);
      if (info === undefined) continue; // not a lint rule (an unused --build-arg)
      report.warnings.push({
        rule: w.rule,
        description: info.description,
        url: info.url,
        message: w.message,
        ...(w.span ? { span: w.span } : {}),
      });
    }
  } catch (err) {
    if (!(err instanceof DockerfileError)) throw err;
    report.error = { message: err.problem, span: spanOf(err) };
  } finally {
    await session.end();
  }
  report.warnings.sort((a, b) => (a.span?.start.line ?? 0) - (b.span?.start.line ?? 0));
  const located = report.warnings.filter((w) => w.span !== undefined);
  if (report.error === undefined && dockerfile.checks.error && located.length > 0) {
    const rules = [...new Set(located.map((w) => w.rule))];
    report.error = { message: `lint violation found for rules: ${rules.join(", ")}` };
  }
  return report;
}

function spanOf(err: DockerfileError): Span {
  return err.span;
}
