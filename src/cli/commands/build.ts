import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { Argv, ArgumentsCamelCase } from "yargs";
import { build } from "../../engine/build";
import type { BuildOptions, BuildResult } from "../../engine/build-options";
import { BuildAbortedError } from "../../engine/errors";
import type { BuildEvent } from "../../engine/progress";
import { TsbuildError, errnoCode } from "../../errors";
import { serializeManifest } from "../../image/manifest";
import { decodeDockerfile } from "../../parser/decode";
import { parseBuildInvocation, type BuildInvocation } from "../build-invocation";
import type { CliCommand } from "../command";
import { PROGRESS_MODES, createRenderer, formatSummary, formatWarnings, isHuman } from "../progress";
import type { SecretSpec } from "../secret-spec";
import { extractStdinContext } from "../stdin-context";
import { withCacheDirOption } from "../store-option";
import { networkOptionSpecs } from "../network-options";
import { sandboxOptionSpecs } from "../sandbox-flags";
import { contextOptionSpecs } from "../context-flags";
import { outputOptionSpecs } from "../output-flags";
import { dryRunOptionSpecs, formatDryRun } from "../dry-run";
import { planBuild } from "../../engine/dry-run";
import { readAll } from "../../bytes";
import { callOptionSpecs, parseCallOption, runCall } from "../call";
import { colorEnabled } from "../progress/color";
import { attestOptionSpecs, parseAttestFlags } from "../attest-flags";
import {
  explainOptionSpecs,
  formatExplain,
  formatVerify,
  parseExplainFlags,
  type ExplainFlags,
} from "../explain-flags";
import { verifyBuild, type VerifyReport } from "../../engine/verify";

/** CONTEXT is missing or not a directory, or an output file could not be written. */
export class BuildInputError extends TsbuildError {}

/** Exit statuses after a signal, as a shell reports a process killed by it (128 + number). */
const SIGNAL_EXIT: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * `tsbuild [build] [flags] CONTEXT|-`: `docker build` / `buildx build` on the in-process build().
 * Progress goes to stderr; stdout carries only what was asked for (`-q`: the image ID; `-o -`: a
 * tar). Exit 0 built, 1 the build failed, 2 a usage error, 130/143 interrupted.
 */
export const buildCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y)
      // `--no-cache` is a flag of its own, not the negation of a `--cache`.
      .parserConfiguration({ "boolean-negation": false })
      .positional("context", {
        type: "string",
        describe: "build context directory, or - to read a tar from stdin",
      })
      .option("tag", {
        alias: "t",
        type: "string",
        requiresArg: true,
        describe: "name and optionally a tag (name:tag); repeatable",
      })
      .option("file", {
        alias: "f",
        type: "string",
        requiresArg: true,
        describe: "Dockerfile (default CONTEXT/Dockerfile; - for stdin)",
      })
      .option("build-arg", {
        type: "string",
        requiresArg: true,
        describe: "build-time variable K=V, or K to take it from the environment; repeatable",
      })
      .option("target", { type: "string", requiresArg: true, describe: "stage to build" })
      .option("no-cache", { type: "boolean", describe: "do not use the cache (steps run and refresh it)" })
      .option("label", { type: "string", requiresArg: true, describe: "image label K=V; repeatable" })
      .option("platform", {
        type: "string",
        requiresArg: true,
        describe: "target platform(s) os/arch[/variant], comma-separated for a multi-platform image",
      })
      .option("output", {
        alias: "o",
        type: "string",
        requiresArg: true,
        describe: "output: type=oci|docker|local|tar,dest=PATH (buildx syntax); repeatable",
      })
      .option("allow", {
        type: "string",
        requiresArg: true,
        describe: "allow an entitlement: network.host (RUN --network=host), security.insecure; repeatable",
      })
      .option("ssh", {
        type: "string",
        requiresArg: true,
        describe:
          "SSH agent socket or keys for RUN --mount=type=ssh: default|ID[=SOCKET|KEY[,KEY]]; repeatable",
      })
      .option("ulimit", {
        type: "string",
        requiresArg: true,
        describe: "resource limit of RUN processes, name=soft[:hard] (e.g. nofile=1024:2048); repeatable",
      })
      .option("pids-limit", {
        type: "string",
        requiresArg: true,
        describe: "processes at most in one RUN container (default 4096; 0 = no limit)",
      })
      .option("runtime", {
        type: "string",
        requiresArg: true,
        describe: "OCI runtime for RUN: runc (default), crun or auto",
      })
      .option("isolation", {
        type: "string",
        requiresArg: true,
        describe: "auto (default), root, or rootless (a user namespace; the default as non-root)",
      })
      .option("iidfile", {
        type: "string",
        requiresArg: true,
        describe: "write the image ID (config digest) to the file",
      })
      .option("metadata-file", {
        type: "string",
        requiresArg: true,
        describe: "write build metadata (digests, names) as JSON to the file",
      })
      .option("progress", {
        choices: PROGRESS_MODES,
        requiresArg: true,
        describe: "progress output (auto: tty on a terminal, else plain; default $BUILDKIT_PROGRESS)",
      })
      .option("quiet", { alias: "q", type: "boolean", describe: "print only the image ID on success" })
      .option("compression", {
        choices: ["gzip", "zstd", "uncompressed"],
        requiresArg: true,
        describe: "layer compression (default gzip)",
      })
      .option("jobs", {
        type: "string",
        requiresArg: true,
        describe: "steps run at once (default: twice the number of cores, at least 4)",
      })
      .option("secret", {
        type: "string",
        requiresArg: true,
        describe: "secret for RUN --mount=type=secret: id=ID,src=PATH or id=ID,env=VAR; repeatable",
      })
      .option("no-cache-filter", {
        type: "string",
        requiresArg: true,
        describe: "do not use the cache for this stage (name or index); repeatable",
      })
      .option("pull", { type: "boolean", describe: "always resolve base images from their registry" })
      .option("push", {
        type: "boolean",
        describe: "push the image to the registry of each -t name (= -o type=registry)",
      })
      .option("insecure-registry", {
        type: "string",
        requiresArg: true,
        describe: "registry host[:port] reachable over plain HTTP (loopback always is); repeatable",
      })
      .option("cache-from", {
        type: "string",
        requiresArg: true,
        describe: "import build cache: type=local,src=DIR or type=registry,ref=REF; repeatable",
      })
      .option("cache-to", {
        type: "string",
        requiresArg: true,
        describe:
          "export this build's cache: type=local,dest=DIR or type=registry,ref=REF; mode=min|max, cache-mounts=ID,..., cache-mounts-max-size=SIZE; repeatable",
      })
      .options(networkOptionSpecs(true))
      .options(sandboxOptionSpecs)
      .options(contextOptionSpecs)
      .options(outputOptionSpecs)
      .options(dryRunOptionSpecs)
      .options(callOptionSpecs)
      .options(attestOptionSpecs)
      .options(explainOptionSpecs),
  run: async (args: ArgumentsCamelCase) => {
    const invocation = await parseBuildInvocation(args, process.env);
    const attest = parseAttestFlags(args);
    if (attest.length > 0) invocation.options.attest = attest;
    const call = parseCallOption(args);
    if (call !== undefined) return runCall(call, invocation);
    return runBuild(invocation, parseExplainFlags(args));
  },
};

async function runBuild(
  invocation: BuildInvocation,
  flags: ExplainFlags = { explain: false, verify: false },
): Promise<number> {
  for (const notice of invocation.notices) process.stderr.write(`${notice}\n`);
  const { contextDir, dispose } = await prepareContext(invocation.context);
  const controller = new AbortController();
  let signalled: "SIGINT" | "SIGTERM" | undefined;
  const onSignal = (signal: "SIGINT" | "SIGTERM"): void => {
    signalled ??= signal;
    // Let a second Ctrl-C kill the process the default way if cleanup hangs.
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.stderr.write(`\ntsbuild: ${signal}: cancelling the build, cleaning up (again to force)\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let renderer = createRenderer(invocation.progress, process.stderr);
  /** `--verify`'s second build: its warnings are the first one's again. */
  let rebuilding = false;
  const warnings: Extract<BuildEvent, { type: "warning" }>[] = [];
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    renderer.close();
    if (isHuman(invocation.progress))
      process.stderr.write(formatWarnings(warnings, colorEnabled(process.stderr)));
  };
  try {
    const options: BuildOptions & { secrets?: SecretSpec[] } = {
      ...invocation.options,
      context: contextDir,
      ...(await dockerfileOptions(invocation, contextDir)),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "warning" && !rebuilding) warnings.push(event);
        renderer.onEvent(event);
      },
      ...(invocation.secrets.length > 0 ? { secrets: invocation.secrets } : {}),
    };
    if (invocation.dryRun) {
      close();
      process.stdout.write(formatDryRun(await planBuild(options)));
      return 0;
    }
    let result: BuildResult;
    let report: VerifyReport | undefined;
    try {
      if (flags.verify) {
        // The rebuild gets a renderer of its own (its steps are numbered from 1 again).
        const second = (): void => {
          rebuilding = true;
          renderer.close();
          if (isHuman(invocation.progress))
            process.stderr.write("\nverify: rebuilding from an empty cache\n");
          renderer = createRenderer(invocation.progress, process.stderr);
        };
        report = await verifyBuild(options, { secondBuild: (o) => (second(), o) });
        result = report.result;
      } else result = await build(options);
    } catch (err) {
      close();
      if (signalled !== undefined && (err instanceof BuildAbortedError || controller.signal.aborted)) {
        process.stderr.write(`tsbuild: build cancelled by ${signalled}\n`);
        return SIGNAL_EXIT[signalled];
      }
      throw err;
    }
    close();
    await writeResultFiles(invocation, result);
    if (invocation.quiet) process.stdout.write(`${result.configDigest}\n`);
    else if (isHuman(invocation.progress))
      process.stderr.write(formatSummary(result, invocation.options.tags ?? []));
    // Not between rawjson's JSON lines: a decoder loop reading stderr would stop there.
    if (flags.explain && invocation.progress !== "rawjson") process.stderr.write(formatExplain(result));
    if (report) process.stdout.write(formatVerify(report));
    if (signalled !== undefined) return SIGNAL_EXIT[signalled];
    return report?.reproducible === false ? 1 : 0;
  } finally {
    close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await dispose();
  }
}

/** The context directory to build: CONTEXT itself, or stdin's tar extracted into a temp dir. */
export async function prepareContext(
  context: string,
): Promise<{ contextDir: string; dispose: () => Promise<void> }> {
  if (context === "-") {
    const { dir, dispose } = await extractStdinContext(process.stdin);
    return { contextDir: dir, dispose };
  }
  const dir = path.resolve(context);
  let isDir = false;
  try {
    isDir = (await fsp.stat(dir)).isDirectory();
  } catch {
    throw new BuildInputError("CONTEXT_NOT_FOUND", `open build context ${context}: no such directory`);
  }
  if (!isDir)
    throw new BuildInputError(
      "CONTEXT_NOT_DIRECTORY",
      `open build context ${context}: not a directory (give a directory, or - for a tar on stdin)`,
    );
  return { contextDir: dir, dispose: async () => undefined };
}

/**
 * `-f`: stdin's text, a path relative to the cwd (as docker reads it), or — when the context came
 * on stdin — a path inside that tar. Without -f, build() reads CONTEXT/Dockerfile.
 */
export async function dockerfileOptions(
  invocation: BuildInvocation,
  contextDir: string,
): Promise<Pick<BuildOptions, "dockerfile" | "dockerfileText">> {
  const file = invocation.file;
  if (file === undefined) return {};
  if (file === "-") {
    return { dockerfileText: decodeDockerfile(await readAll(process.stdin), "Dockerfile") };
  }
  if (invocation.context === "-") {
    const inside = path.resolve(contextDir, file);
    if (!inside.startsWith(contextDir + path.sep))
      throw new BuildInputError("DOCKERFILE_OUTSIDE_CONTEXT", `--file ${file}: outside the context tar`);
    return { dockerfile: inside };
  }
  return { dockerfile: path.resolve(file) };
}

/** `--iidfile` (the config digest, no newline, as docker writes it) and `--metadata-file` (buildx's keys). */
async function writeResultFiles(invocation: BuildInvocation, result: BuildResult): Promise<void> {
  if (invocation.iidfile !== undefined) await writeOut(invocation.iidfile, result.configDigest, "--iidfile");
  if (invocation.metadataFile !== undefined) {
    const manifestSize = serializeManifest(result.manifest).length;
    const metadata: Record<string, unknown> = {
      "containerimage.config.digest": result.configDigest,
      "containerimage.descriptor": {
        mediaType: result.manifest.mediaType,
        digest: result.digest,
        size: manifestSize,
      },
      "containerimage.digest": result.digest,
    };
    const tags = invocation.options.tags ?? [];
    if (tags.length > 0) metadata["image.name"] = tags.join(",");
    await writeOut(invocation.metadataFile, JSON.stringify(metadata, null, 2) + "\n", "--metadata-file");
  }
}

async function writeOut(file: string, text: string, flag: string): Promise<void> {
  try {
    await fsp.writeFile(file, text);
  } catch (err) {
    throw new BuildInputError(
      "WRITE_RESULT_FILE",
      `${flag}: write ${file}: ${errnoCode(err) ?? String(err)}`,
      { cause: err },
    );
  }
}
