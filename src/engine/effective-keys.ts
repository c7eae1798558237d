import { stepKey, type KeyValue } from "../planner/cache-key";
import type { Step } from "../planner/plan";

const KEY = /^(stage:)?([0-9a-f]{64})$/;

/**
 * The keys a build's steps are recorded under. The planner's keys are fixed before anything runs;
 * a COPY --from=stage is then keyed again on the content it copied (BuildKit's content-based
 * cache key for a stage's files): a stage rebuilt with the same files (a comment edited in a
 * compiled source) gives the COPY the same content key, so the COPY and every step after it —
 * in its stage, in stages built FROM it or mounting it — are cache hits. Every later key is
 * re-derived from the effective key of its parent and of the stages its op names.
 *
 * Plain data: planner key → effective key, only where they differ. Steps are settled in the
 * order the scheduler runs them: a stage's steps in order, and a stage only once every stage it
 * reads (FROM, COPY --from, RUN --mount from=: its `dependsOn`) has finished.
 */
export class EffectiveKeys {
  private readonly keys = new Map<string, string>();

  /** The effective key of the state the planner called `planKey`. */
  of(planKey: string): string {
    return this.keys.get(planKey) ?? planKey;
  }

  /**
   * The step's key before content is known: its planner key over the effective keys of its parent
   * and of the stages its op reads. For most builds this is the planner's key itself.
   */
  fastKey(step: Step): string {
    if (step.kind === "config" || step.keyOp === undefined) return this.of(step.cacheKey);
    const parent = this.of(step.parentKey);
    const op = this.substitute(step.keyOp);
    return parent === step.parentKey && op === step.keyOp ? step.cacheKey : stepKey(parent, op);
  }

  /** A COPY --from=stage keyed on what it copied: `digest` of its layer with times left out. */
  contentKey(step: Step, digest: string): string {
    const op = this.substitute(step.keyOp ?? null);
    const base = op !== null && typeof op === "object" && !Array.isArray(op) ? op : { op };
    return stepKey(this.of(step.parentKey), { ...base, source: `content:${digest}` });
  }

  /** The step's result is recorded under `key`: the steps after it chain from there. */
  settle(step: Step, key: string): void {
    if (key !== step.cacheKey) this.keys.set(step.cacheKey, key);
  }

  /** `op` with every planner key it names replaced by its effective key; `op` itself if none is. */
  private substitute(op: KeyValue): KeyValue {
    if (this.keys.size === 0) return op;
    if (typeof op === "string") {
      const m = KEY.exec(op);
      const eff = m ? this.keys.get(m[2]) : undefined;
      return eff === undefined ? op : `${m?.[1] ?? ""}${eff}`;
    }
    if (op === null || typeof op !== "object") return op;
    let changed = false;
    if (Array.isArray(op)) {
      const out = op.map((v) => {
        const n = this.substitute(v);
        changed ||= n !== v;
        return n;
      });
      return changed ? out : op;
    }
    const out: { [key: string]: KeyValue | undefined } = {};
    for (const [k, v] of Object.entries(op)) {
      const n = v === undefined ? v : this.substitute(v);
      changed ||= n !== v;
      out[k] = n;
    }
    return changed ? out : op;
  }
}

/** A COPY whose key is also taken from the content it copied. */
export function keysOnContent(step: Step): boolean {
  return step.kind === "copy" && step.source.kind === "stage";
}
