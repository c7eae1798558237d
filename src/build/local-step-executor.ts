import type { BlobLayer } from "../image/blob-layer";
import type { LayerEntry } from "../image/layer-entry";
import type { CopyStep, RunStep, WorkdirStep } from "../planner/plan";
import { copyLayerEntries, resolveChown, RootfsView } from "../copy";
import { BuildError } from "./errors";
import type { StepExecutor, StepInputs } from "./step-executor";
import type { UnpackedLayers } from "./unpacked-layers";

/**
 * Executes layer steps on this machine: COPY/ADD build their layer straight from their sources
 * (no container), WORKDIR writes the directory when it is missing, RUN goes through the
 * namespaced executor. Views of a stage's filesystem stack its unpacked layer directories.
 */
export class LocalStepExecutor implements StepExecutor {
  constructor(private readonly unpacked: UnpackedLayers) {}

  async copy(step: CopyStep, inputs: StepInputs): Promise<AsyncIterable<LayerEntry>> {
    const destView = await this.view(inputs.layers);
    let sourceView: RootfsView | undefined;
    if (step.source.kind === "stage") sourceView = await this.view(await inputs.stageLayers(step.source.stage));
    else if (step.source.kind === "image") sourceView = await this.view(await inputs.imageLayers(step.source.ref));
    return copyLayerEntries(step, {
      context: inputs.context,
      destView,
      ...(sourceView ? { sourceView } : {}),
      tmpDir: inputs.tmpDir,
      ...(inputs.signal ? { signal: inputs.signal } : {}),
      ...(inputs.sourceDateEpoch !== undefined ? { sourceDateEpoch: inputs.sourceDateEpoch } : {}),
    });
  }

  async run(step: RunStep): Promise<Iterable<LayerEntry>> {
    throw new BuildError("RUN_UNSUPPORTED", `${step.display}: RUN is not supported yet (the executor is being built)`);
  }

  /** WORKDIR: the missing directories of the path, the last one owned by USER, like BuildKit. */
  async workdir(step: WorkdirStep, inputs: StepInputs): Promise<LayerEntry[]> {
    const view = await this.view(inputs.layers);
    const owner = step.user ? resolveChown(step.user, view) : { uid: 0, gid: 0 };
    const mtimeMs = inputs.sourceDateEpoch !== undefined ? inputs.sourceDateEpoch * 1000 : Date.now();
    const parts = step.path.split("/").filter(Boolean);
    const entries: LayerEntry[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts.slice(0, i + 1).join("/");
      if (view.exists(`/${p}`)) continue;
      const last = i === parts.length - 1;
      entries.push({ type: "directory", path: p, mode: 0o755, uid: last ? owner.uid : 0, gid: last ? owner.gid : 0, mtimeMs });
    }
    return entries;
  }

  /** A read-only view of the filesystem made of `layers` (base first). */
  private async view(layers: readonly BlobLayer[]): Promise<RootfsView> {
    const dirs = await Promise.all(layers.map((l) => this.unpacked.dir(l)));
    return new RootfsView(dirs.reverse());
  }
}
