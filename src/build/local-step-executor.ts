import type { LayerEntry } from "../image/layer-entry";
import { sortEntries } from "../image/sort-entries";
import type { CopyStep, RunStep, WorkdirStep } from "../planner/plan";
import { copyEntries } from "../copy/copy-entries";
import { BuildError } from "./errors";
import type { StepExecutor, StepInputs } from "./step-executor";
import type { UnpackedLayers } from "./unpacked-layers";

/**
 * Executes layer steps on this machine: COPY/ADD build their layer straight from the context
 * (no container), WORKDIR writes the directory, RUN goes through the namespaced executor.
 */
export class LocalStepExecutor implements StepExecutor {
  constructor(private readonly unpacked: UnpackedLayers) {}

  async copy(step: CopyStep, inputs: StepInputs): Promise<Iterable<LayerEntry>> {
    if (step.source.kind !== "context") {
      throw new BuildError("COPY_UNSUPPORTED", `${step.display}: copying from a ${step.source.kind} source is not supported yet`);
    }
    const sources = inputs.context.resolveSources(step.sources);
    const files = await inputs.context.files(sources);
    const owner = parseNumericOwner(step.chown, step.display);
    const entries = copyEntries(files, sources, {
      dest: step.dest,
      owner,
      ...(step.chmod !== undefined ? { chmod: step.chmod } : {}),
      sourceCount: step.sources.length,
      parentMtimeMs: 0,
    });
    return sortEntries(entries);
  }

  async run(step: RunStep): Promise<Iterable<LayerEntry>> {
    void this.unpacked;
    throw new BuildError("RUN_UNSUPPORTED", `${step.display}: RUN is not supported yet (the executor is being built)`);
  }

  async workdir(step: WorkdirStep): Promise<Iterable<LayerEntry>> {
    const owner = parseNumericOwner(step.user || undefined, step.display);
    const parts = step.path.split("/").filter(Boolean);
    return parts.map((_, i) => ({
      type: "directory" as const,
      path: parts.slice(0, i + 1).join("/"),
      mode: 0o755,
      uid: i === parts.length - 1 ? owner.uid : 0,
      gid: i === parts.length - 1 ? owner.gid : 0,
      mtimeMs: 0,
    }));
  }
}

/** `--chown=uid[:gid]` as numbers; names need the stage's /etc/passwd (see src/copy). */
function parseNumericOwner(chown: string | undefined, display: string): { uid: number; gid: number } {
  if (chown === undefined || chown === "") return { uid: 0, gid: 0 };
  const [u, g = u] = chown.split(":");
  if (!/^[0-9]+$/.test(u) || !/^[0-9]+$/.test(g)) {
    throw new BuildError("CHOWN_UNSUPPORTED", `${display}: --chown by name needs the stage's /etc/passwd, which is not supported yet`);
  }
  return { uid: Number(u), gid: Number(g) };
}
