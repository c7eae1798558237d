import type { Word } from "../parser/ast";
import type { ParseContext } from "../parser/instructions/context";
import type { Stage } from "../parser/stages";
import { buildkitDidYouMean } from "../parser/suggest";
import { UsageError } from "../errors";
import type { Expander } from "./expand";

/** A stage reference resolved: another stage, or an image to pull. */
export type StageRef =
  { kind: "stage"; stage: number } | { kind: "image"; ref: string } | { kind: "scratch" };

export interface StageNode {
  stage: Stage;
  /** FROM's base, expanded with the global ARGs. */
  base: StageRef;
  /** Other stages this one reads from, by index (base first). */
  dependsOn: number[];
}

/**
 * Phase "build the stage dependency graph": resolves FROM bases and `--from` references
 * (names are matched case-insensitively; a numeric `--from` must name an earlier stage; any other
 * value is an image), detects cycles and self-references, and lists the stages `target` needs.
 */
export class StageGraph {
  readonly nodes: StageNode[];
  private readonly byName = new Map<string, number>();

  constructor(
    private readonly stages: readonly Stage[],
    private readonly ctx: ParseContext,
    private readonly expander: Expander,
    /** Global ARGs: the only variables `FROM` and `--from` values may use (as in BuildKit). */
    readonly globals: ReadonlyMap<string, string>,
    /** Stages a named build context replaces (by index): their base is the context, by name. */
    readonly replaced: ReadonlySet<number> = new Set(),
  ) {
    for (const stage of stages) {
      if (stage.name === undefined) continue;
      if (this.byName.has(stage.name)) {
        throw ctx.error(
          stage.from.stageNameWord?.span ?? stage.from.span,
          `duplicate stage name "${stage.name}"`,
        );
      }
      this.byName.set(stage.name, stage.index);
    }
    this.nodes = stages.map((stage) => this.node(stage));
    this.checkCycles();
  }

  /** `--target NAME` (case-insensitive), or the last stage. */
  resolveTarget(target: string | undefined): number {
    if (target === undefined || target === "") return this.nodes.length - 1;
    const index = this.byName.get(target.toLowerCase());
    if (index === undefined) {
      const names = [...this.byName.keys()];
      throw new UsageError(
        `target stage "${target}" could not be found${buildkitDidYouMean(target.toLowerCase(), names)}`,
      );
    }
    return index;
  }

  /**
   * The stages `target` needs, dependencies first (each before every stage that reads it).
   * Iterative: a chain of 100,000 stages must not overflow the stack.
   */
  needed(target: number): number[] {
    const order: number[] = [];
    const seen = new Set<number>([target]);
    const stack: { node: number; next: number }[] = [{ node: target, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const deps = this.nodes[top.node].dependsOn;
      if (top.next < deps.length) {
        const dep = deps[top.next++];
        if (!seen.has(dep)) {
          seen.add(dep);
          stack.push({ node: dep, next: 0 });
        }
        continue;
      }
      order.push(top.node);
      stack.pop();
    }
    return order;
  }

  /**
   * Resolves a `--from` value written at `word` as seen from stage `from`. The value is expanded
   * with the global ARGs only, here and in dispatch alike, so the graph and the steps agree.
   */
  resolveFromRaw(raw: string, word: Word, from: number, what: "COPY" | "mount" = "COPY"): StageRef {
    const value = this.expander.text(raw, word, this.globals);
    if (value === "")
      // BuildKit's wording (it expands no variable there; tsbuild expands the global ARGs).
      throw this.ctx.error(
        word.span,
        what === "COPY"
          ? `--from=${raw}: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround (only global ARGs apply here)`
          : `from=${raw}: 'from' doesn't support variable expansion, define alias stage instead (only global ARGs apply here)`,
      );
    return this.resolveFrom(value, word, from);
  }

  /** Resolves an already expanded `--from` value written at `word` as seen from stage `from`. */
  resolveFrom(value: string, word: Word, from: number): StageRef {
    if (/^[0-9]+$/.test(value)) {
      const index = Number(value);
      if (index >= from) {
        throw this.ctx.error(
          word.span,
          `--from=${value} must refer to an earlier stage (this is stage ${from})`,
        );
      }
      return { kind: "stage", stage: index };
    }
    const named = this.byName.get(value.toLowerCase());
    if (named !== undefined) {
      if (named === from) throw this.ctx.error(word.span, `stage "${value}" cannot read from itself`);
      return { kind: "stage", stage: named };
    }
    if (value === "scratch") return { kind: "scratch" };
    return { kind: "image", ref: value };
  }

  private node(stage: Stage): StageNode {
    // The context stands in for the whole stage: nothing of its text is read.
    if (this.replaced.has(stage.index) && stage.name !== undefined)
      return { stage, base: { kind: "image", ref: stage.name }, dependsOn: [] };
    const word = stage.from.baseNameWord;
    const name = this.expander.word(word, this.globals);
    if (name === "")
      throw this.ctx.error(word.span, `FROM: base name "${word.value}" expands to an empty string`);
    let base: StageRef;
    const named = this.byName.get(name.toLowerCase());
    if (named === stage.index) {
      throw this.ctx.error(word.span, `stage "${name}" cannot use itself as its base`);
    } else if (named !== undefined) {
      base = { kind: "stage", stage: named };
    } else if (name.toLowerCase() === "scratch") {
      base = { kind: "scratch" };
    } else {
      base = { kind: "image", ref: name };
    }
    const deps = new Set<number>();
    if (base.kind === "stage") deps.add(base.stage);
    // A stage built FROM another runs that stage's ONBUILD triggers first (BuildKit): what they
    // read is a dependency of this stage.
    const triggers =
      base.kind === "stage"
        ? this.stages[base.stage].instructions.flatMap((i) => (i.kind === "ONBUILD" ? [i.trigger] : []))
        : [];
    for (const instruction of [...triggers, ...stage.instructions]) {
      for (const ref of this.fromWords(instruction)) {
        const resolved = this.resolveFromRaw(
          ref.value,
          ref,
          stage.index,
          instruction.kind === "RUN" ? "mount" : "COPY",
        );
        if (resolved.kind === "stage") deps.add(resolved.stage);
      }
    }
    return { stage, base, dependsOn: [...deps] };
  }

  /**
   * Phase "ONBUILD dependencies": once the base image's config of stage `index` is known, what
   * its ONBUILD triggers read (`COPY --from`, `RUN --mount from=`) becomes a dependency, as in
   * BuildKit, which resolves base images before it orders the stages. A problem is reported at
   * the stage's FROM (the trigger's text is not in this Dockerfile). True when a stage was added.
   */
  addTriggerDeps(index: number, triggers: readonly Stage["instructions"][number][]): boolean {
    const node = this.nodes[index];
    const before = node.dependsOn.length;
    for (const instruction of triggers) {
      for (const ref of this.fromWords(instruction)) {
        const at = { value: ref.value, span: node.stage.from.span };
        const what = instruction.kind === "RUN" ? "mount" : "COPY";
        const resolved = this.resolveFromRaw(ref.value, at, index, what);
        if (resolved.kind === "stage" && !node.dependsOn.includes(resolved.stage))
          node.dependsOn.push(resolved.stage);
      }
    }
    if (node.dependsOn.length === before) return false;
    this.checkCycles();
    return true;
  }

  /** The words of `--from` (COPY/ADD) and `RUN --mount=...,from=` in an instruction. */
  private fromWords(instruction: Stage["instructions"][number]): Word[] {
    if (instruction.kind === "COPY" && instruction.from !== undefined) {
      const flag = instruction.node.flags.find((f) => /^--from=/i.test(f.value));
      if (flag) return [{ value: instruction.from, span: flag.span }];
    }
    if (instruction.kind === "RUN") {
      return instruction.mounts.flatMap((m, i) =>
        m.from !== undefined ? [{ value: m.from, span: instruction.mountFlags[i].word.span }] : [],
      );
    }
    return [];
  }

  /** Depth-first search for a cycle, iterative (the path is the explicit stack). */
  private checkCycles(): void {
    const state = new Map<number, "visiting" | "done">();
    for (let root = 0; root < this.nodes.length; root++) {
      if (state.has(root)) continue;
      state.set(root, "visiting");
      const stack: { node: number; next: number }[] = [{ node: root, next: 0 }];
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const deps = this.nodes[top.node].dependsOn;
        if (top.next >= deps.length) {
          state.set(top.node, "done");
          stack.pop();
          continue;
        }
        const dep = deps[top.next++];
        const seen = state.get(dep);
        if (seen === "visiting") {
          const path = stack.map((f) => f.node);
          const cycle = [...path.slice(path.indexOf(dep)), dep].map((s) => this.label(s)).join(" -> ");
          throw this.ctx.error(
            this.nodes[dep].stage.from.span,
            `circular dependency between stages: ${cycle}`,
          );
        }
        if (seen === undefined) {
          state.set(dep, "visiting");
          stack.push({ node: dep, next: 0 });
        }
      }
    }
  }

  private label(i: number): string {
    return this.nodes[i].stage.name ?? String(i);
  }
}
