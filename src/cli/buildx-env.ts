/**
 * Environment variables buildx users set in CI, read as buildx reads them. Only
 * `BUILDKIT_PROGRESS` changes anything (the default of `--progress`); the others either
 * already describe what tsbuild does, or ask for something it does not do, which is said on
 * stderr rather than ignored silently.
 */
import { UsageError } from "../errors";
import { PROGRESS_MODES, type ProgressMode } from "./progress";
import { isOneOf } from "../guards";

/** Variables whose buildx meaning is tsbuild's behaviour anyway (no daemon, no default attestations). */
export const ALREADY_SO: Readonly<Record<string, string>> = {
  BUILDX_NO_DEFAULT_ATTESTATIONS: "tsbuild adds no attestations unless asked",
  BUILDX_NO_DEFAULT_LOAD: "tsbuild loads into docker/podman only with --load",
  BUILDX_BUILDER: "tsbuild is its own builder",
  BUILDX_CONFIG: "tsbuild keeps no builder configuration",
  BUILDKIT_HOST: "tsbuild builds in-process, with no BuildKit daemon",
};

/** Variables that ask for buildx behaviour tsbuild does not have. */
export const NOT_SUPPORTED: readonly string[] = [
  "BUILDX_GIT_LABELS",
  "BUILDX_GIT_INFO",
  "BUILDX_GIT_CHECK_DIRTY",
  "BUILDX_METADATA_PROVENANCE",
  "BUILDX_METADATA_WARNINGS",
  "BUILDX_EXPERIMENTAL",
  "BUILDKIT_COLORS",
  "BUILDKIT_TTY_LOG_LINES",
];

export interface BuildxEnv {
  /** `BUILDKIT_PROGRESS`: the default of `--progress`. */
  progress?: ProgressMode;
  /** One line per set variable tsbuild does not honour. */
  notices: string[];
}

export function readBuildxEnv(env: NodeJS.ProcessEnv): BuildxEnv {
  const out: BuildxEnv = { notices: [] };
  const progress = env.BUILDKIT_PROGRESS;
  if (progress !== undefined && progress !== "") {
    if (!isOneOf(PROGRESS_MODES, progress))
      throw new UsageError(`BUILDKIT_PROGRESS: "${progress}" is not ${PROGRESS_MODES.join(", ")}`);
    out.progress = progress;
  }
  for (const name of NOT_SUPPORTED) {
    const v = env[name];
    // "0"/"false" ask for nothing, so there is nothing to refuse.
    if (v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false")
      out.notices.push(`tsbuild: ${name} is not supported; ignored`);
  }
  return out;
}
