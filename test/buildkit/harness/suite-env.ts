import * as path from "node:path";

/** What the global setup started, passed to the test workers through the environment. */
export interface SuiteEnv {
  /** Scratch root of this run (contexts, archives, caches, results, dockerd). */
  state: string;
  /** The base image reference that replaces `{{busybox}}`. */
  baseRef: string;
  /** The registry's "127.0.0.1:PORT". */
  registry: string;
  /** dockerd's socket; undefined when the comparison is off (TSBUILD_BK_NO_DOCKERD=1). */
  dockerSocket?: string;
}

export function suiteEnv(): SuiteEnv {
  const state = process.env.TSBUILD_BK_STATE;
  const baseRef = process.env.TSBUILD_BK_BASE;
  const registry = process.env.TSBUILD_BK_REGISTRY;
  if (!state || !baseRef || !registry)
    throw new Error("run the BuildKit suite with `npm run test:buildkit` (no global setup ran)");
  return {
    state,
    baseRef,
    registry,
    ...(process.env.TSBUILD_BK_DOCKER ? { dockerSocket: process.env.TSBUILD_BK_DOCKER } : {}),
  };
}

export const resultsDir = (state: string) => path.join(state, "results");
export const dockerdDir = (state: string) => path.join(state, "dockerd");
