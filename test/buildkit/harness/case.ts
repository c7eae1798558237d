import type { HttpFile } from "./http-server";

/**
 * One BuildKit Dockerfile integration test, ported as data. `{{busybox}}` in the Dockerfile (and
 * in expected history) stands for the suite's static busybox base image in the local registry;
 * upstream's `busybox`, `alpine` and `debian` bases are all replaced by it.
 */
export interface BuildkitCase {
  /** The upstream Go test function, e.g. "testCopyChown". */
  name: string;
  /** The upstream file under moby/buildkit, e.g. "frontend/dockerfile/dockerfile_copy_test.go". */
  upstream: string;
  /** When one upstream function becomes several cases: what this one covers. */
  variant?: string;
  /** What changed against upstream (base image swap aside) and why. */
  note?: string;
  dockerfile: string;
  /** Name of the Dockerfile in the context (default "Dockerfile"); `null`: none is written. */
  dockerfileName?: string | null;
  /** The `-f` path given to the builder when it is not `dockerfileName` (e.g. a symlink to it). */
  buildFile?: string | undefined;
  /** Context files the test writes, by relative path. */
  files?: Record<string, ContextEntry>;
  /** Files served over HTTP on 127.0.0.1 for ADD <url>; `{{http}}` in the Dockerfile is their base URL. */
  http?: Record<string, HttpFile>;
  buildArgs?: Record<string, string>;
  /**
   * Images the test builds and pushes first, in order (e.g. one with ONBUILD triggers): each
   * builder builds them itself and pushes them to the suite's registry. `{{prebuiltN}}` names
   * the N-th (from 0), `{{prebuilt}}` the last one before the Dockerfile using it.
   */
  prebuild?: { dockerfile: string; files?: Record<string, ContextEntry> }[];
  target?: string;
  /** `--platform`, e.g. "darwin/ppc64le". */
  platform?: string;
  /** `--label K=V` given to the builder (upstream's `label:K` frontend attribute). */
  labels?: Record<string, string>;
  /** `--secret id=ID,src=…`: the value is written to a temp file. */
  secrets?: Record<string, string>;
  /** `--secret id=ID,env=VAR`: the value is put in the builder's environment as VAR. */
  envSecrets?: Record<string, { env: string; value: string }>;
  expect: Expectations;
  /** A tsbuild bug makes this case fail today: what differs from upstream. Run with test.failing. */
  knownFailure?: string;
  /** Not built with dockerd 20.10 (upstream-only): the feature 20.10's BuildKit lacks. */
  buildkit2010?: { skip: string };
  /** Fields ("config.X", "history", "rootfs", "outcome") where upstream and 20.10 disagree: upstream is followed, the field is not compared. */
  compareIgnore?: { fields: string[]; reason: string };
  /** tsbuild's image differs from BuildKit 20.10's today: which field and how. Run with test.failing. */
  knownDifference?: string;
}

export type ContextEntry =
  | { content: string | Buffer; mode?: number }
  | { dir: true; mode?: number }
  | { symlink: string }
  | { socket: true; mode?: number };

export interface Expectations {
  /** The build fails with an error containing each of these (case-insensitive for docker). */
  error?: string | string[];
  /** Paths in the final root filesystem (absolute). */
  files?: Record<string, FileExpectation>;
  /** Exact values of config fields (Docker's names under "config"). */
  config?: ConfigExpectation;
  /** The config's `created` and every history entry's `created` (RFC 3339, compared as instants). */
  created?: string;
  /** os/architecture of the config, e.g. "darwin/ppc64le". */
  platform?: string;
  /** Number of layers (diff IDs) in the final image. */
  layers?: number;
  /** Expected history, oldest first, over the entries this Dockerfile added (base image's excluded). */
  history?: HistoryExpectation[];
}

export interface FileExpectation {
  /** false: the path must not exist. */
  exists?: boolean;
  type?: "file" | "dir" | "symlink";
  content?: string;
  /** Content contains each of these / none of these. */
  contains?: string[];
  notContains?: string[];
  /** Content matches this expression. */
  contentMatches?: RegExp;
  /** Permission bits and sticky/setuid/setgid (e.g. 0o644). */
  mode?: number;
  uid?: number;
  gid?: number;
  linkTarget?: string;
}

export interface ConfigExpectation {
  Env?: string[];
  /** Env must contain these (order free). */
  EnvContains?: string[];
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: string[];
  Volumes?: string[];
  StopSignal?: string;
  Shell?: string[];
  OnBuild?: string[];
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    Retries?: number;
  };
}

export interface HistoryExpectation {
  createdBy?: string;
  /** created_by contains this. */
  createdByContains?: string;
  emptyLayer?: boolean;
}

/** Upstream test file paths, short. */
export const UP = {
  main: "frontend/dockerfile/dockerfile_test.go",
  copy: "frontend/dockerfile/dockerfile_copy_test.go",
  add: "frontend/dockerfile/dockerfile_add_test.go",
  heredoc: "frontend/dockerfile/dockerfile_heredoc_test.go",
  mount: "frontend/dockerfile/dockerfile_mount_test.go",
  parents: "frontend/dockerfile/dockerfile_parents_test.go",
  args: "frontend/dockerfile/dockerfile_args_test.go",
  workdir: "frontend/dockerfile/dockerfile_workdir_test.go",
  user: "frontend/dockerfile/dockerfile_user_test.go",
  onbuild: "frontend/dockerfile/dockerfile_onbuild_test.go",
  multistage: "frontend/dockerfile/dockerfile_multistage_test.go",
  history: "frontend/dockerfile/dockerfile_history_test.go",
  cmd: "frontend/dockerfile/dockerfile_cmd_test.go",
  core: "frontend/dockerfile/dockerfile_core_test.go",
  image: "frontend/dockerfile/dockerfile_image_test.go",
  dockerignore: "frontend/dockerfile/dockerfile_dockerignore_test.go",
  secrets: "frontend/dockerfile/dockerfile_secrets_test.go",
  targets: "frontend/dockerfile/dockerfile_targets_test.go",
  chmod: "frontend/dockerfile/dockerfile_chmod_non_octal_test.go",
  checksum: "frontend/dockerfile/dockerfile_addchecksum_test.go",
  export: "frontend/dockerfile/dockerfile_export_test.go",
} as const;
