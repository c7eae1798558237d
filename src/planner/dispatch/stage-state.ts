import type { ContainerConfig } from "../../image/config";
import type { Word } from "../../parser/ast";
import type { ParseContext } from "../../parser/instructions/context";
import type { Instruction } from "../../parser/instruction";
import type { Expander } from "../expand";
import type { StageGraph, StageRef } from "../stage-graph";
import type { Step } from "../plan";
import { stepKey, type KeyValue } from "../cache-key";
import type { VariableScope } from "../variable-scope";
import type { PlanInputs } from "./inputs";

/**
 * The mutable state of one stage while its instructions are dispatched, like BuildKit's
 * dispatchState: the image config so far, the variable scope, the key of the filesystem state,
 * and the steps emitted. Dispatch functions (one file per instruction family) change it only
 * through these methods.
 */
export class StageState {
  readonly steps: Step[] = [];
  /** Key of the current filesystem state. */
  key: string;
  /** CMD was set in this stage (an ENTRYPOINT then keeps it, else clears the inherited one). */
  cmdSet = false;
  private stepCount = 0;

  constructor(
    readonly index: number,
    readonly label: string,
    public config: ContainerConfig,
    baseKey: string,
    readonly scope: VariableScope,
    readonly ctx: ParseContext,
    readonly expander: Expander,
    readonly graph: StageGraph,
    readonly inputs: PlanInputs,
    /** Final keys of stages already planned, for COPY --from and bind mounts. */
    readonly stageKeys: ReadonlyMap<number, string>,
  ) {
    this.key = baseKey;
    this.scope.setEnvList(config.Env ?? []);
  }

  /** Expansion environment: declared ARGs under ENV. */
  env(): Map<string, string> {
    return this.scope.expansionEnv();
  }

  expand(word: Word): string {
    return this.expander.word(word, this.env());
  }

  nextId(): string {
    return `${this.index}.${this.stepCount++}`;
  }

  /** Replaces the config (immutably) and keeps the scope's ENV view in sync. */
  setConfig(mutate: (draft: ContainerConfig) => void): ContainerConfig {
    const draft = structuredClone(this.config);
    mutate(draft);
    this.config = draft;
    this.scope.setEnvList(draft.Env ?? []);
    return draft;
  }

  /** A config-only step: history and config, no layer, no change of the filesystem key. */
  configStep(instruction: Instruction, createdBy: string, mutate: (draft: ContainerConfig) => void): void {
    const config = this.setConfig(mutate);
    this.steps.push({
      kind: "config",
      id: this.nextId(),
      stage: this.index,
      cacheKey: this.key,
      parentKey: this.key,
      display: display(instruction),
      createdBy,
      span: instruction.span,
      config,
    });
  }

  /** Advances the filesystem key over `op` and returns [parentKey, newKey]. */
  advance(op: KeyValue): [string, string] {
    const parent = this.key;
    this.key = stepKey(parent, op);
    return [parent, this.key];
  }

  /** A `--from` value as written (expanded with the global ARGs, like the stage graph does). */
  resolveFrom(raw: string, word: Word): StageRef {
    return this.graph.resolveFromRaw(raw, word, this.index);
  }

  /**
   * Final key of a stage this one reads. Dependencies are planned first; a reference the graph
   * could not see (an ONBUILD trigger of the base image naming a stage) is reported at `word`.
   */
  stageKey(stage: number, word: Word): string {
    const key = this.stageKeys.get(stage);
    if (key === undefined) {
      throw this.ctx.error(
        word.span,
        `stage ${stage} is read here but is not among the stages this one depends on (ONBUILD triggers cannot read stages)`,
      );
    }
    return key;
  }
}

/** The instruction as written on its line(s), for progress output. */
export function display(instruction: Instruction): string {
  const text = instruction.node.original.replace(/\s+/g, " ").trim();
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
