import * as fs from "node:fs";
import * as path from "node:path";
import type { TestRegistry } from "../../support/registry";
import { dockerdAlive, dockerdPaths, stopDockerd } from "./dockerd";
import { summarize, type CaseResult } from "./results";
import { dockerdDir, resultsDir } from "./suite-env";

/** Prints the summary line, then stops dockerd and the registry and removes the run's scratch root. */
export default async function globalTeardown(): Promise<void> {
  const state = process.env.TSBUILD_BK_STATE;
  try {
    if (state && fs.existsSync(resultsDir(state))) {
      const results: CaseResult[] = fs
        .readdirSync(resultsDir(state))
        .sort()
        .map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir(state), f), "utf8")) as CaseResult);
      process.stdout.write("\n" + summarize(results) + "\n");
      const out = process.env.BUILDKIT_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
    }
    // A daemon that died mid-run explains every "cannot connect" comparison: say so, with its log.
    if (state && process.env.TSBUILD_BK_DOCKER && !dockerdAlive(dockerdDir(state))) {
      const log = dockerdPaths(dockerdDir(state)).log;
      const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "(no log)";
      process.stdout.write(`dockerd is not running any more; the end of its log:\n${text.slice(-4000)}\n`);
    }
    const out = process.env.BUILDKIT_RESULTS;
    if (state && out) {
      const log = dockerdPaths(dockerdDir(state)).log;
      if (fs.existsSync(log)) fs.copyFileSync(log, `${out}.dockerd.log`);
    }
  } finally {
    if (state) stopDockerd(dockerdDir(state));
    await (globalThis as { __bkRegistry?: TestRegistry }).__bkRegistry?.stop();
    if (state && process.env.TSBUILD_BK_KEEP !== "1") fs.rmSync(state, { recursive: true, force: true });
  }
}
