import type { BlobLayer } from "../image/blob-layer";
import type { LayerEntry } from "../image/layer-entry";
import type { CopyStep, RunStep, WorkdirStep } from "../planner/plan";
import { copyLayerEntries } from "../copy";
import { copySpecOf } from "./copy-spec";
import { LayerView } from "../rootfs/layer-view";
import { resolveChown } from "../rootfs/users";
import type { DownloadLimits } from "../net/limits";
import * as path from "node:path";
import { diffUpperDir } from "../rootfs/diff";
import { runStep, warmUpRun } from "../executor/run-step";
import { RunFailedError } from "../executor/errors";
import { runMounts, type MountSources, type RunSettings } from "./run-mounts";
import type { StepExecutor, StepInputs } from "./step-executor";
import type { UnpackedLayers } from "../rootfs/unpacked-layers";

/**
 * Executes layer steps on this machine: COPY/ADD build their layer straight from their sources
 * (no container), WORKDIR writes the directory when it is missing, RUN goes through the
 * namespaced executor. Views of a stage's filesystem stack its unpacked layer directories.
 */
export class LocalStepExecutor implements StepExecutor {
  private warmed = false;

  constructor(
    private readonly unpacked: UnpackedLayers,
    private readonly mountSources: MountSources,
    /** `ADD <url>` download limits. */
    private readonly network: Partial<DownloadLimits> | undefined,
    private readonly settings: RunSettings = {},
  ) {}

  async copy(step: CopyStep, inputs: StepInputs): Promise<AsyncIterable<LayerEntry>> {
    const destView = await this.view(inputs.layers);
    let sourceView: LayerView | undefined;
    if (step.source.kind === "stage")
      sourceView = await this.view(await inputs.stageLayers(step.source.stage));
    else if (step.source.kind === "image")
      sourceView = await this.view(await inputs.imageLayers(step.source.ref));
    return copyLayerEntries(copySpecOf(step), {
      context: inputs.context,
      destView,
      ...(sourceView ? { sourceView } : {}),
      tmpDir: inputs.tmpDir,
      ...(inputs.signal ? { signal: inputs.signal } : {}),
      ...(inputs.sourceDateEpoch !== undefined ? { sourceDateEpoch: inputs.sourceDateEpoch } : {}),
      ...(this.network ? { network: this.network } : {}),
    });
  }

  /**
   * RUN: the stage's unpacked layers are the overlay's lower dirs, a fresh upper dir in the
   * step's temp dir takes the changes, and its diff is the layer. A non-zero exit fails the step
   * with the command, the exit code and the last lines of output.
   */
  async run(step: RunStep, inputs: StepInputs): Promise<AsyncIterable<LayerEntry>> {
    const lowerDirs = topmostFirst(await Promise.all(inputs.layers.map((l) => this.unpacked.dir(l))));
    const upperDir = upperDirOf(inputs);
    const workDir = path.join(inputs.tmpDir, "work");
    const { mounts, env: mountEnv, release } = await runMounts(step, inputs, this.mountSources);
    const key = (kv: string): string => kv.split("=")[0];
    // A mount's variables (secret env=, SSH_AUTH_SOCK) win over ENV and ARG, as in BuildKit.
    const fromMounts = new Set(mountEnv.map(key));
    const env = [
      ...step.state.env,
      ...step.state.buildArgs.filter((a) => !step.state.env.some((e) => key(e) === key(a))),
    ].filter((e) => !fromMounts.has(key(e)));
    env.push(...mountEnv);
    const result = await runStep(
      {
        lowerDirs,
        upperDir,
        workDir,
        command: step.argv,
        env,
        cwd: step.state.workdir,
        ...(step.state.user ? { user: step.state.user } : {}),
        hostname: step.hostname ?? "buildkitsandbox",
        // A RUN's own --network wins over the build's --network.
        network: step.network === "default" ? (this.settings.networkMode ?? "default") : step.network,
        security: step.security,
        platform: inputs.platform,
        runtime: this.settings.runtime,
        pidsLimit: this.settings.pidsLimit,
        ulimits: this.settings.ulimits,
        extraHosts: this.settings.extraHosts,
        shmSizeBytes: this.settings.shmSizeBytes,
        mounts,
        ...(inputs.signal ? { signal: inputs.signal } : {}),
      },
      {
        stdout: (chunk) => inputs.log("stdout", chunk.toString("utf8")),
        stderr: (chunk) => inputs.log("stderr", chunk.toString("utf8")),
      },
    ).finally(release);
    if (result.exitCode !== 0) throw new RunFailedError(step.argv, result.exitCode, result.outputTail);
    return diffUpperDir(upperDir);
  }

  /**
   * A RUN's upper dir becomes its layer's directory (BuildKit's next step stacks the snapshot the
   * same way, with the command's own nanosecond mtimes): unmounted and free of mount stubs by
   * now, it holds what the diff wrote, and sockets, which a tar cannot carry and BuildKit's
   * snapshot keeps too. Not with SOURCE_DATE_EPOCH, whose clamped mtimes the tar alone has.
   */
  async layerStored(
    step: RunStep | CopyStep | WorkdirStep,
    inputs: StepInputs,
    layer: BlobLayer,
  ): Promise<void> {
    if (step.kind !== "run" || inputs.sourceDateEpoch !== undefined) return;
    await this.unpacked.adopt(layer, upperDirOf(inputs));
  }

  warmUpRun(): void {
    if (this.warmed) return;
    this.warmed = true;
    warmUpRun(this.settings.runtime);
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
      entries.push({
        type: "directory",
        path: p,
        mode: 0o755,
        uid: last ? owner.uid : 0,
        gid: last ? owner.gid : 0,
        mtimeMs,
      });
    }
    return entries;
  }

  /** A read-only view of the filesystem made of `layers` (base first). */
  private async view(layers: readonly BlobLayer[]): Promise<LayerView> {
    return new LayerView(topmostFirst(await Promise.all(layers.map((l) => this.unpacked.dir(l)))));
  }
}

/** Where a RUN step's changes go: its overlay upper dir, in the step's private temp dir. */
function upperDirOf(inputs: StepInputs): string {
  return path.join(inputs.tmpDir, "upper");
}

/**
 * Unpacked layer dirs (base first) in overlayfs order, top-most first, each once: overlayfs
 * refuses a lower dir given twice (ELOOP), and a layer repeated in the stack (BuildKit's empty
 * layer, two identical COPYs) reads the same without its lower copy, which the upper one
 * entirely shadows (its files win, its whiteouts reach every layer below either copy).
 */
function topmostFirst(dirs: string[]): string[] {
  return [...new Set(dirs.reverse())];
}
