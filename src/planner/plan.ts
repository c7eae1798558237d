import type { Span } from "../parser/ast";
import type { Heredoc } from "../parser/ast";
import type { Mount } from "../parser/instructions/run-mount";
import type { ImageConfig } from "../image/config";
import type { Platform } from "../image/descriptor";
import type { KeyValue } from "./cache-key";

/**
 * The Plan: what the scheduler runs. Plain data, no behaviour, so each stage of the pipeline can be
 * tested alone. Paths inside the image are absolute and already expanded; nothing here refers to a
 * host path except through the build context, which steps name by context-relative paths.
 */
export interface Plan {
  /** Stages the target needs, dependencies first; the last one is the target. */
  stages: PlannedStage[];
  /** Index (in the Dockerfile) of the target stage. */
  target: number;
  platform: Platform;
  /** Non-fatal findings: lint warnings, unused build args. */
  warnings: PlanWarning[];
  /** The global `ARG SOURCE_DATE_EPOCH` value (its default unless a build arg overrides it), unparsed. */
  sourceDateEpoch?: string;
}

export interface PlanWarning {
  rule: string;
  message: string;
  span?: Span;
  /** The rule's documentation page, when it has one. */
  url?: string;
}

/** Where a stage starts from. */
export type StageBase =
  { kind: "scratch" } | { kind: "stage"; stage: number } | { kind: "image"; ref: string; digest: string };

export interface PlannedStage {
  /** Position in the Dockerfile (what `--from=N` refers to). */
  index: number;
  /** Lowercased `AS` name. */
  name?: string;
  base: StageBase;
  platform: Platform;
  /** Stages this one reads from (base, COPY --from, RUN --mount from), by index. */
  dependsOn: number[];
  steps: Step[];
  /** The image config once every step has run (rootfs and history are filled by the scheduler). */
  config: ImageConfig;
  /** Cache key of the stage's last filesystem state: the base's key when no step changes files. */
  finalKey: string;
  /** `[name i/n]`-style label used in progress output. */
  label: string;
}

/**
 * What a step runs with: the stage state at that point (after expansion). `env` and `buildArgs`
 * are frozen arrays that consecutive steps share while they do not change.
 */
export interface ExecState {
  env: string[];
  /** Build args in scope, passed to RUN as environment but never stored in the image. */
  buildArgs: string[];
  workdir: string;
  user: string;
  shell: string[];
}

interface StepCommon {
  /** "<stage>.<n>", unique in the plan. */
  id: string;
  stage: number;
  /** Content-addressed key of the filesystem state after this step (sha256 hex). */
  cacheKey: string;
  /** Key of the filesystem state this step starts from. */
  parentKey: string;
  /** What `cacheKey` hashes with `parentKey` (layer steps): kept so a cache miss can be explained. */
  keyOp?: KeyValue;
  /** Instruction text shown in progress and in history `created_by`. */
  display: string;
  createdBy: string;
  span: Span;
}

/**
 * A step that only changes the config; it never runs and never has a layer. Steps carry no config
 * snapshot (one per step made plans quadratic in size); the stage's final `config` is the result.
 */
export interface ConfigStep extends StepCommon {
  kind: "config";
  /** false: the step writes no history entry (ONBUILD, as in BuildKit). */
  history?: false;
}

export interface RunStep extends StepCommon {
  kind: "run";
  /** argv, already wrapped in the stage's SHELL for shell form. */
  argv: string[];
  /** Heredoc bodies the command reads, written to files by the executor (see `heredocFiles`). */
  heredocFiles: { path: string; content: string; mode: number }[];
  state: ExecState;
  mounts: PlannedMount[];
  network: "default" | "none" | "host";
  security: "sandbox" | "insecure";
  /** The container's hostname when `--build-arg BUILDKIT_SANDBOX_HOSTNAME` sets it (else buildkitsandbox). */
  hostname?: string;
}

/** A RUN --mount after expansion; `from` resolved to a stage index or image ref. */
export interface PlannedMount extends Omit<Mount, "from"> {
  target: string;
  /** A secret with `env=` and no `target=`: exposed as the variable only, no file. */
  envOnly?: boolean;
  from?:
    | { kind: "stage"; stage: number }
    | { kind: "context"; fingerprint?: string }
    | { kind: "image"; ref: string; digest: string };
}

/** Where COPY/ADD read their sources. */
export type CopySource =
  | { kind: "context"; fingerprint: string }
  | { kind: "stage"; stage: number }
  | { kind: "image"; ref: string }
  | { kind: "heredoc"; files: { name: string; content: string }[] }
  | { kind: "url" };

export interface CopyStep extends StepCommon {
  kind: "copy";
  instruction: "COPY" | "ADD";
  source: CopySource;
  /** Source paths or patterns as expanded (context- or stage-relative; URLs for ADD). */
  sources: string[];
  /** Absolute destination; ends with "/" when the destination names a directory. */
  dest: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  /** ADD only. */
  checksum?: string;
  /** ADD --unpack: undefined = the default (local archives extract, URLs do not). */
  unpack?: boolean;
  keepGitDir?: boolean;
  state: ExecState;
}

/** WORKDIR: creates the directory (owned by the current user) when it does not exist. */
export interface WorkdirStep extends StepCommon {
  kind: "workdir";
  path: string;
  user: string;
}

export type Step = ConfigStep | RunStep | CopyStep | WorkdirStep;

/** Heredoc bodies in a plan keep their ast form. */
export type PlannedHeredoc = Heredoc;
