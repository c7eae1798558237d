/**
 * tsbuild's public API: `import { build, parse, ... } from "tsbuild-engine"`.
 * Each export is documented where it is defined.
 */
export { TsbuildError, UsageError } from "./errors";

// Building
export { build } from "./engine/build";
export type { BuildOptions, BuildResult } from "./engine/build-options";
export type { BuildEvent, BuildEventListener } from "./engine/progress";
export type { StepOutcome } from "./engine/stage-result";
export type { InputChange, MissReason, StepMiss } from "./engine/miss-explain";
export { verifyBuild, type LayerVerdict, type VerifyReport } from "./engine/verify";
export { parseOutputSpec, type OutputSpec } from "./engine/output-spec";
export { BuildError, BuildAbortedError, StepFailedError } from "./engine/errors";

// Parsing
export { parse, type ParseOptions } from "./parser/parse";
export { dumpBuildkit } from "./parser/dump";
export { printDockerfile } from "./parser/print";
export { decodeDockerfile } from "./parser/decode";
export { loadDockerfile, analyzeDockerfile, type Dockerfile, type LoadOptions } from "./parser/load";
export { parseInstructions, parseInstruction, type Instruction } from "./parser/instruction";
export type { Stage, StagedInstructions } from "./parser/stages";
export { LINT_RULES, type LintWarning } from "./parser/lint";
export { DockerfileError } from "./parser/errors";
export type * from "./parser/ast";
export {
  processWord,
  processWords,
  processWordWithMatches,
  ShellExpansionError,
  type ProcessWordResult,
  type ShellEnv,
  type ShellOptions,
} from "./parser/shell";

// Planning
export { plan, type PlanOptions } from "./planner/planner";
export type * from "./planner/plan";
export type {
  ImageResolver,
  ResolvedImage,
  ContextFingerprinter,
  PlanInputs,
} from "./planner/dispatch/inputs";
export { parseBuildArgs } from "./planner/build-args";

// Build context
export { openContext, BuildContext, ContextError } from "./context";

// Images and outputs
export type { Layer } from "./image/layer";
export type * from "./image/layer-entry";
export type { Image } from "./image/image";
export { emptyImage, appendLayers, withConfig, imageDigest } from "./image/image";
export type { ImageConfig, ContainerConfig, HistoryEntry } from "./image/config";
export { buildLayer } from "./image/build-layer";
export { BlobLayer } from "./image/blob-layer";
export { writeOciArchive } from "./output/oci-archive";
export { writeOciLayout } from "./output/oci-layout";
export { writeDockerArchive } from "./output/docker-archive";

// Cache
export { CacheStore, resolveCacheDir, diskUsage, prune, parseSize, parseDuration, formatSize } from "./cache";

// Registry
export { pullImage, type PullOptions, type PulledImage } from "./registry/pull";
export { pushImage, pushImageDetailed, type PushOptions } from "./registry/push";
export { parseReference, formatReference, type Reference } from "./registry/reference";
export { RegistryError } from "./registry/errors";
export { login, logout } from "./registry/login";

// RUN executor and COPY/ADD layers
export { runStep } from "./executor/run-step";
export { ExecutorError, RunFailedError, RunAbortedError } from "./executor/errors";
export type { RunSpec, RunIO, RunResult, RunMount } from "./executor/run-spec";
export { copyLayerEntries, type CopyInputs } from "./copy";

// Root filesystems on disk
export {
  applyLayer,
  applyArchive,
  isArchive,
  diffUpperDir,
  LayerView,
  resolveInRoot,
  RootfsError,
  UnpackError,
} from "./rootfs";

// CLI (for tools that embed it)
export { runCli } from "./cli/run-cli";
