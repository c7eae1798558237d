import type { Platform } from "../image/descriptor";
import { formatPlatform } from "../image/platform";
import { hashKey } from "../planner/cache-key";
import type { Plan, PlannedStage } from "../planner/plan";
import { samePlatform } from "../planner/platform-spec";
import { BuildAbortedError } from "./errors";
import { runStage, type BuildRun } from "./stage-runner";
import type { StageResult } from "./stage-result";

/** One target platform of a build: its plan and the run its stages use. */
export interface PlatformRun {
  platform: Platform;
  plan: Plan;
  /** Shares inflight, outcomes, vertex and limit with the other platforms; `stages` is its own. */
  run: BuildRun;
}

/**
 * What makes two planned stages the same work: the stage (by position), its platform, the keys
 * of every step and of its final state, and the config it ends with. Two targets' stages with
 * one identity (`FROM --platform=$BUILDPLATFORM` that reads no TARGET* arg) run once.
 */
export function stageIdentity(stage: PlannedStage): string {
  return hashKey({
    index: stage.index,
    platform: formatPlatform(stage.platform),
    finalKey: stage.finalKey,
    steps: stage.steps.map((s) => [s.kind, s.cacheKey, s.createdBy]),
    config: JSON.stringify(stage.config),
  });
}

/**
 * A multi-platform build names the platform in each step's label and id, as BuildKit does:
 * `[linux/arm64 build 2/5]`. A stage that runs on another platform than its target and is not
 * shared with another target says both (`linux/amd64->linux/arm64`).
 */
export function labelPlans(runs: readonly PlatformRun[]): Plan[] {
  const users = new Map<string, number>();
  for (const r of runs)
    for (const s of r.plan.stages) users.set(stageIdentity(s), (users.get(stageIdentity(s)) ?? 0) + 1);
  return runs.map(({ plan, platform }) => ({
    ...plan,
    stages: plan.stages.map((stage) => {
      const own = formatPlatform(stage.platform);
      const shared = (users.get(stageIdentity(stage)) ?? 0) > 1;
      const prefix =
        shared || samePlatform(stage.platform, platform) ? own : `${own}->${formatPlatform(platform)}`;
      return {
        ...stage,
        label: `${prefix} ${stage.label}`,
        steps: stage.steps.map((step) => ({ ...step, id: `${prefix}:${step.id}` })),
      };
    }),
  }));
}

/**
 * Phase: start every needed stage of every platform as soon as its dependencies allow; a stage
 * whose identity another platform already started is not started again, its result is shared.
 * Resolves to each platform's target stage result, in the order of `runs`. The first failing
 * stage cancels the others, running steps included (BuildKit does too).
 */
export async function runPlatformStages(runs: readonly PlatformRun[]): Promise<StageResult[]> {
  const failFast = new AbortController();
  const started = new Map<string, Promise<StageResult>>();
  const all: Promise<StageResult>[] = [];
  const targets: Promise<StageResult>[] = [];
  for (const { plan, run: shared } of runs) {
    const run: BuildRun = {
      ...shared,
      signal: shared.signal ? AbortSignal.any([shared.signal, failFast.signal]) : failFast.signal,
    };
    for (const stage of plan.stages) {
      const identity = stageIdentity(stage);
      let p = started.get(identity);
      if (p === undefined) {
        p = (async () => {
          await Promise.all(stage.dependsOn.map((d) => run.stages.get(d)));
          if (failFast.signal.aborted) throw new BuildAbortedError();
          return runStage(stage, run);
        })();
        p.catch(() => failFast.abort());
        started.set(identity, p);
        all.push(p);
      }
      run.stages.set(stage.index, p);
    }
    // The plan's last stage is its target.
    targets.push(run.stages.get(plan.target) as Promise<StageResult>);
  }
  const results = await Promise.allSettled(all);
  const failure = results.find(
    (r): r is PromiseRejectedResult => r.status === "rejected" && !(r.reason instanceof BuildAbortedError),
  );
  if (failure) throw failure.reason;
  const aborted = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (aborted) throw aborted.reason;
  return Promise.all(targets);
}
