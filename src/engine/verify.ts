import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { CacheStore, resolveCacheDir } from "../cache";
import { UsageError } from "../errors";
import { sha256Digest } from "../image/digest";
import { serializeManifest } from "../image/manifest";
import { diffTars, type TarDifference } from "../image/tar-diff";
import { parsePlatforms } from "../planner/platform";
import { build } from "./build";
import type { BuildOptions, BuildResult } from "./build-options";
import { execFileAsync } from "../lazy-builtins";

/** One layer of the image as both builds made it. */
export interface LayerVerdict {
  /** Position in the image, 0 = the first (base) layer. */
  index: number;
  /** The step that made the layer (its instruction); undefined for base-image layers. */
  step?: string;
  first: string;
  second: string;
  identical: boolean;
  /** The first entry that differs, when the layers do. */
  difference?: TarDifference;
}

/** What `build --verify` found: whether a clean rebuild makes the same bytes as the build. */
export interface VerifyReport {
  reproducible: boolean;
  sourceDateEpoch: number;
  /** Where the epoch came from: given (option, build arg, env), the last git commit, or 0. */
  epochFrom: "given" | "git" | "default";
  layers: LayerVerdict[];
  config: { first: string; second: string; identical: boolean };
  /** Manifest digests of the images as stored (uncompressed layers). */
  image: { first: string; second: string; identical: boolean };
  /** The normal build's result (it wrote the outputs and tags). */
  result: BuildResult;
}

/**
 * Builds as asked (with the cache, writing the outputs), then again from an empty temporary
 * cache directory (never the user's, which is only read by the first build) with the same
 * SOURCE_DATE_EPOCH, and compares the two images layer by layer. `onSecondBuild` lets the caller
 * render the second build's progress on its own.
 */
export async function verifyBuild(
  options: BuildOptions,
  hooks: { secondBuild?: (options: BuildOptions) => BuildOptions } = {},
): Promise<VerifyReport> {
  if (options.platform !== undefined && parsePlatforms(options.platform).length > 1)
    throw new UsageError("--verify: one --platform at a time");
  const env = options.env ?? process.env;
  const { epoch, from } = await verifyEpoch(options, env);
  const first = await build({ ...options, sourceDateEpoch: epoch });
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "tsbuild-verify-"));
  try {
    const clean: BuildOptions = {
      ...options,
      sourceDateEpoch: epoch,
      cacheDir: tmp,
      tags: [],
      outputs: [],
      cacheFrom: [],
      cacheTo: [],
      attest: [],
    };
    const second = await build(hooks.secondBuild ? hooks.secondBuild(clean) : clean);
    const userStore = await CacheStore.open(resolveCacheDir({ cacheDir: options.cacheDir, env }));
    const tmpStore = await CacheStore.open(tmp);
    const a = first.manifest.layers;
    const b = second.manifest.layers;
    const layers: LayerVerdict[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i]?.digest ?? "none";
      const y = b[i]?.digest ?? "none";
      const step = first.steps.find((s) => s.layer?.digest === x)?.display;
      const verdict: LayerVerdict = { index: i, first: x, second: y, identical: x === y };
      if (step !== undefined) verdict.step = step;
      if (!verdict.identical && a[i] !== undefined && b[i] !== undefined) {
        const d = await diffTars(userStore.blobs.path(x), tmpStore.blobs.path(y));
        if (d) verdict.difference = d;
      }
      layers.push(verdict);
    }
    const imageA = sha256Digest(serializeManifest(first.manifest));
    const imageB = sha256Digest(serializeManifest(second.manifest));
    const config = { first: first.configDigest, second: second.configDigest, identical: false };
    config.identical = config.first === config.second;
    const image = { first: imageA, second: imageB, identical: imageA === imageB };
    return {
      reproducible: image.identical && config.identical && layers.every((l) => l.identical),
      sourceDateEpoch: epoch,
      epochFrom: from,
      layers,
      config,
      image,
      result: first,
    };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** SOURCE_DATE_EPOCH as given, else the last commit's time when the context is in git, else 0. */
async function verifyEpoch(
  options: BuildOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ epoch: number; from: VerifyReport["epochFrom"] }> {
  const given =
    options.sourceDateEpoch ?? numberOf(options.buildArgs?.SOURCE_DATE_EPOCH ?? env.SOURCE_DATE_EPOCH);
  if (given !== undefined) return { epoch: given, from: "given" };
  try {
    const { stdout } = await execFileAsync(
      "git",
      ["-C", path.resolve(options.context), "log", "-1", "--format=%ct"],
      {
        env: { ...env, GIT_TERMINAL_PROMPT: "0" },
      },
    );
    const epoch = numberOf(stdout.trim());
    if (epoch !== undefined) return { epoch, from: "git" };
  } catch {
    // Not a git work tree, no commit yet, or no git: the fixed default below.
  }
  return { epoch: 0, from: "default" };
}

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
