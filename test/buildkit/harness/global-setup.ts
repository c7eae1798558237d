import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startRegistry, type TestRegistry } from "../../support/registry";
import { pushBaseImage } from "./base-image";
import { startDockerd, stopDockerd } from "./dockerd";
import { dockerdDir, resultsDir } from "./suite-env";

/**
 * Starts the suite's services once for all workers: a docker-registry on 127.0.0.1 holding the
 * busybox-static base image, and (unless TSBUILD_BK_NO_DOCKERD=1) a private dockerd 20.10 that
 * pulls the same base from it. The teardown stops both; scripts/test-buildkit.sh also kills
 * them by pid if jest itself dies.
 */
export default async function globalSetup(): Promise<void> {
  const state = process.env.TSBUILD_BK_STATE ?? fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-buildkit-"));
  process.env.TSBUILD_BK_STATE = state;
  fs.mkdirSync(resultsDir(state), { recursive: true });
  const registry: TestRegistry = await startRegistry();
  (globalThis as { __bkRegistry?: TestRegistry }).__bkRegistry = registry;
  try {
    process.env.TSBUILD_BK_REGISTRY = registry.host;
    process.env.TSBUILD_BK_BASE = await pushBaseImage(registry.host, state);
    if (process.env.TSBUILD_BK_NO_DOCKERD !== "1") {
      const d = await startDockerd(dockerdDir(state));
      process.env.TSBUILD_BK_DOCKER = d.socket;
    }
  } catch (err) {
    stopDockerd(dockerdDir(state));
    await registry.stop();
    throw err;
  }
}
