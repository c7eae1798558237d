import type { ContainerConfig } from "../../image/config";
import type { Word } from "../../parser/ast";
import type { ShellEnv } from "../../parser/shell";
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
  /**
   * The config so far: this stage's own copy (the base's is cloned once), changed in place, so a
   * config instruction costs O(its own values), not O(the config). Read it, never keep it: it
   * changes with later instructions.
   */
  readonly config: ContainerConfig;
  private stepCount = 0;
  /** Position of each key in `config.Env`, so ENV replaces a variable in O(1). */
  private readonly envIndex = new Map<string, number>();
  /** A frozen copy of `config.Env` handed to RUN/COPY steps; dropped when ENV changes it. */
  private envSnapshot: string[] | undefined;

  constructor(
    readonly index: number,
    readonly label: string,
    baseConfig: ContainerConfig,
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
    this.config = structuredClone(baseConfig);
    const env = this.config.Env ?? [];
    env.forEach((kv, i) => {
      const eq = kv.indexOf("=");
      this.envIndex.set(eq < 0 ? kv : kv.slice(0, eq), i);
    });
    this.scope.setEnvList(env);
  }

  /** Expansion environment: declared ARGs under ENV (a live view, see VariableScope). */
  env(): ShellEnv {
    return this.scope.expansionEnv();
  }

  expand(word: Word): string {
    return this.expander.word(word, this.env());
  }

  /**
   * Refuses a command, shell or argument list holding a NUL or a lone surrogate (see
   * invalidText): such text is never expanded but still reaches exec or the image config.
   */
  checkArgv(argv: readonly string[], instruction: Instruction): void {
    const node = instruction.node.child ?? instruction.node;
    const at: Word = { value: "", span: node.args[0]?.span ?? node.keywordSpan };
    for (const arg of argv) this.expander.check(arg, undefined, 0, at);
  }

  nextId(): string {
    return `${this.index}.${this.stepCount++}`;
  }

  /** `ENV key=value`: replaces the variable where it is in the list, else appends it. */
  setEnv(key: string, value: string): void {
    const list = (this.config.Env ??= []);
    const at = this.envIndex.get(key);
    if (at !== undefined) list[at] = `${key}=${value}`;
    else {
      this.envIndex.set(key, list.length);
      list.push(`${key}=${value}`);
    }
    this.envSnapshot = undefined;
    this.scope.setEnv(key, value);
  }

  /** The image ENV as RUN and COPY see it now; frozen and shared until the next ENV. */
  envList(): string[] {
    // Frozen at run time so a caller that mutates it fails loudly; typed mutable for the callers.
    this.envSnapshot ??= Object.freeze([...(this.config.Env ?? [])]) as string[];
    return this.envSnapshot;
  }

  /** Changes the config (never its Env: that goes through setEnv). */
  setConfig(mutate: (config: ContainerConfig) => void): void {
    mutate(this.config);
  }

  /**
   * A config-only step: history and config, no layer, no change of the filesystem key.
   * `createdBy` null: the step writes no history entry.
   */
  configStep(
    instruction: Instruction,
    createdBy: string | null,
    mutate: (config: ContainerConfig) => void,
  ): void {
    this.setConfig(mutate);
    this.steps.push({
      ...(createdBy === null ? { history: false as const } : {}),
      kind: "config",
      id: this.nextId(),
      stage: this.index,
      cacheKey: this.key,
      parentKey: this.key,
      display: display(instruction),
      createdBy: createdBy ?? display(instruction),
      span: instruction.span,
    });
  }

  /** Advances the filesystem key over `op` and returns [parentKey, newKey]. */
  advance(op: KeyValue): [string, string] {
    const parent = this.key;
    this.key = stepKey(parent, op);
    return [parent, this.key];
  }

  /** A `--from` value as written (expanded with the global ARGs, like the stage graph does). */
  resolveFrom(raw: string, word: Word, what: "COPY" | "mount" = "COPY"): StageRef {
    return this.graph.resolveFromRaw(raw, word, this.index, what);
  }

  /**
   * Final key of a stage this one reads. Dependencies are planned first (those of a base image's
   * ONBUILD triggers too, see StageGraph.addTriggerDeps); a reference the graph did not see is
   * reported at `word`.
   */
  stageKey(stage: number, word: Word): string {
    const key = this.stageKeys.get(stage);
    if (key === undefined) {
      throw this.ctx.error(
        word.span,
        `stage ${stage} is read here but is not among the stages this one depends on`,
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
