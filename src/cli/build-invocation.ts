import { networkArgs } from "./network-options";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { ArgumentsCamelCase } from "yargs";
import type { BuildOptions } from "../engine/build-options";
import { parseOutputSpec } from "../engine/output-spec";
import { UsageError, errorMessage } from "../errors";
import type { Compression } from "../image/media-types";
import { parseBuildArgs } from "../planner/build-args";
import { parsePlatforms } from "../planner/platform";
import { InvalidReferenceError } from "../registry/errors";
import { parseTag } from "../registry/reference";
import { parseKeyValues } from "./key-value";
import { parseCacheExport, parseCacheImport } from "./cache-spec";
import type { ProgressMode } from "./progress";
import { parseAllow, parseIsolation, parsePidsLimit, parseRuntime, parseUlimits } from "./run-flags";
import { parseSecretSpecs, type SecretSpec } from "./secret-spec";
import { parseSshSpec } from "../engine/ssh-agents";
import { cacheDirArg, stringList } from "./store-option";
import { sandboxArgs } from "./sandbox-flags";
import { buildContextArgs } from "./context-flags";
import { annotationArgs, loadOutputs } from "./output-flags";
import { readBuildxEnv } from "./buildx-env";

/**
 * A `tsbuild build` command line, validated: every flag value is checked here, before anything
 * is read or built, so a bad value is a usage error (exit 2) that names its flag.
 */
export interface BuildInvocation {
  /** The CONTEXT argument: a directory, or "-" for a tar on stdin. */
  context: string;
  /** `-f`: a path (resolved against the cwd, or inside the tar when CONTEXT is -), or "-" for stdin. */
  file?: string;
  /** Options for build(), without context/Dockerfile/signal/onEvent, which the command fills in. */
  options: Omit<BuildOptions, "context" | "dockerfile" | "dockerfileText" | "signal" | "onEvent">;
  /** `--secret`s, parsed; passed to build() once BuildOptions has `secrets`. */
  secrets: SecretSpec[];
  progress: ProgressMode;
  quiet: boolean;
  iidfile?: string;
  metadataFile?: string;
  /** `--dry-run`: plan and print, run nothing. */
  dryRun: boolean;
  /** Lines for stderr before the build (buildx variables tsbuild does not honour). */
  notices: string[];
}

export async function parseBuildInvocation(
  args: ArgumentsCamelCase,
  env: NodeJS.ProcessEnv,
): Promise<BuildInvocation> {
  // yargs turns a lone "-" positional into "" (it re-parses positionals as `--context -`); an
  // empty CONTEXT is meaningless otherwise, so "" is read as "-".
  const context =
    args.context === "" || args.context === true
      ? "-"
      : typeof args.context === "string"
        ? args.context
        : undefined;
  if (context === undefined) {
    throw new UsageError(
      "build: requires exactly 1 argument: CONTEXT (a directory, or - for a tar on stdin)",
    );
  }
  const file = optionalString(args.file, "--file");
  if (context === "-" && file === "-") {
    throw new UsageError(
      "--file -: the Dockerfile cannot come from stdin when CONTEXT is - (the tar on stdin)",
    );
  }
  const buildArgs = Object.fromEntries(parseBuildArgs(stringList(args.buildArg), env));
  const labels = parseKeyValues("--label", stringList(args.label));
  const tags = stringList(args.tag);
  for (const tag of tags) {
    try {
      parseTag(tag);
    } catch (err) {
      if (!(err instanceof InvalidReferenceError)) throw err;
      throw new UsageError(`--tag: invalid reference format "${tag}": ${err.reason}`);
    }
  }
  const platform = optionalString(args.platform, "--platform");
  if (platform !== undefined) parsePlatforms(platform, "--platform");
  const outputs = stringList(args.output).map(parseOutputSpec);
  const toStdout = outputs.filter((o) => "dest" in o && o.dest === "-").length;
  if (toStdout > 1) throw new UsageError("--output: only one output can be written to stdout (dest=-)");
  if (toStdout === 1 && args.quiet === true)
    throw new UsageError("--quiet: the image ID cannot go to stdout when --output writes a tar there");
  if (toStdout === 1 && process.stdout.isTTY === true)
    throw new UsageError("--output -: refusing to write a tar to the terminal; redirect stdout");
  const jobs = args.jobs === undefined ? undefined : parseJobs(String(args.jobs));
  const secrets = parseSecretSpecs(stringList(args.secret), env);
  for (const secret of secrets) {
    if ("src" in secret) {
      try {
        await fsp.access(path.resolve(secret.src), fsp.constants.R_OK);
      } catch {
        throw new UsageError(
          `--secret id=${secret.id}: cannot read src ${secret.src}` +
            (secret.src === secret.id ? ` (and no environment variable ${secret.id} is set)` : ""),
        );
      }
    }
  }
  const quiet = args.quiet === true;
  const buildxEnv = readBuildxEnv(env);
  const iidfile = optionalString(args.iidfile, "--iidfile");
  const metadataFile = optionalString(args.metadataFile, "--metadata-file");
  const cacheDir = cacheDirArg(args);
  const target = optionalString(args.target, "--target");
  if (args.push === true) outputs.push({ type: "registry" });
  outputs.push(...loadOutputs(args, env));
  const sandbox = sandboxArgs(args);
  const buildContexts = buildContextArgs(args);
  const annotations = annotationArgs(args);
  const insecure = stringList(args.insecureRegistry);
  const cacheFrom = stringList(args.cacheFrom).map(parseCacheImport);
  const cacheTo = stringList(args.cacheTo).map(parseCacheExport);
  const allow = parseAllow(stringList(args.allow));
  const ulimits = parseUlimits(stringList(args.ulimit));
  const pidsLimit = parsePidsLimit(args.pidsLimit);
  const runtime = parseRuntime(args.runtime);
  const ssh = stringList(args.ssh).map((v) => {
    try {
      return parseSshSpec(v, env);
    } catch (err) {
      throw new UsageError(errorMessage(err));
    }
  });
  parseIsolation(args.isolation); // acted on by main.ts before the command runs
  const network = networkArgs(args);
  return {
    context,
    ...(file !== undefined ? { file } : {}),
    options: {
      tags,
      buildArgs,
      labels,
      outputs,
      noCache: args.noCache === true,
      // yargs has checked the value against the option's `choices`.
      compression: (args.compression as Compression | undefined) ?? "gzip",
      env,
      ...(target !== undefined ? { target } : {}),
      ...(platform !== undefined ? { platform } : {}),
      ...(cacheDir !== undefined ? { cacheDir } : {}),
      ...(jobs !== undefined ? { jobs } : {}),
      ...(args.pull === true ? { pull: true } : {}),
      ...(allow.length > 0 ? { allow } : {}),
      ...(ssh.length > 0 ? { ssh } : {}),
      ...(ulimits.length > 0 ? { ulimits } : {}),
      ...(pidsLimit !== undefined ? { pidsLimit } : {}),
      ...(runtime !== undefined ? { runtime } : {}),
      ...(stringList(args.noCacheFilter).length > 0 ? { noCacheFilter: stringList(args.noCacheFilter) } : {}),
      ...(insecure.length > 0 ? { insecureRegistries: insecure } : {}),
      ...(Object.keys(network).length > 0 ? { network } : {}),
      ...sandbox,
      ...(buildContexts.length > 0 ? { buildContexts } : {}),
      ...(annotations.length > 0 ? { annotations } : {}),
      ...(cacheFrom.length > 0 ? { cacheFrom } : {}),
      ...(cacheTo.length > 0 ? { cacheTo } : {}),
    },
    secrets,
    // yargs has checked the value against the option's `choices`.
    progress: quiet ? "quiet" : ((args.progress as ProgressMode | undefined) ?? buildxEnv.progress ?? "auto"),
    notices: buildxEnv.notices,
    quiet,
    dryRun: args.dryRun === true,
    ...(iidfile !== undefined ? { iidfile } : {}),
    ...(metadataFile !== undefined ? { metadataFile } : {}),
  };
}

function parseJobs(text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`--jobs: "${text}" is not a positive whole number`);
  return Number(text);
}

function optionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`${flag}: given more than once`);
  const text = String(value);
  if (text === "") throw new UsageError(`${flag}: empty value`);
  return text;
}
