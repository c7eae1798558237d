import type { BuildContext } from "../context";
import type { LayerEntry } from "../image/layer-entry";
import type { CopyStep, RunStep, WorkdirStep } from "../planner/plan";
import type { BlobLayer } from "../image/blob-layer";
import type { Platform } from "../image/descriptor";

/**
 * What executing a layer step needs and gives back. The stage runner owns caching and layer
 * writing; a StepExecutor only turns a step plus the layers below it into the entries of the
 * change it makes (an empty iterable = no change).
 */
export interface StepInputs {
  /** Layers of the stage so far, base first. */
  layers: readonly BlobLayer[];
  context: BuildContext;
  /** Final layers of other stages (COPY --from, RUN --mount from), by stage index. */
  stageLayers(stage: number): Promise<readonly BlobLayer[]>;
  /** Layers of an image (COPY --from=image, RUN --mount from an image), base first. */
  imageLayers(ref: string): Promise<readonly BlobLayer[]>;
  /** The stage's platform (its base image's), which RUN binaries are built for. */
  platform: Platform;
  /** SOURCE_DATE_EPOCH in seconds, when set. */
  sourceDateEpoch?: number;
  /** A private scratch directory for this step, removed after its layer is written. */
  tmpDir: string;
  signal?: AbortSignal | undefined;
  log(stream: "stdout" | "stderr", text: string): void;
}

export interface StepExecutor {
  copy(step: CopyStep, inputs: StepInputs): Promise<AsyncIterable<LayerEntry> | Iterable<LayerEntry>>;
  run(step: RunStep, inputs: StepInputs): Promise<AsyncIterable<LayerEntry> | Iterable<LayerEntry>>;
  workdir(step: WorkdirStep, inputs: StepInputs): Promise<AsyncIterable<LayerEntry> | Iterable<LayerEntry>>;
  /**
   * Called once the layer of a step this executor ran is stored, before the step's tmpDir is
   * removed: the executor may keep what the step left there as the layer's unpacked directory.
   */
  layerStored?(step: RunStep | CopyStep | WorkdirStep, inputs: StepInputs, layer: BlobLayer): Promise<void>;
  /**
   * A step is about to execute in a stage that runs a RUN later: start, without waiting, what
   * a first RUN would otherwise wait for. Called again for later steps; cheap after the first.
   */
  warmUpRun?(): void;
}
