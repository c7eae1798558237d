import { PROXY_ARGS } from "./build-args";

/**
 * The variables one stage can see while it is dispatched: ARGs declared so far (with their
 * override or default) under the ENV of the image built so far, since ENV wins over ARG with
 * the same name. Returned maps are copies; the scope itself changes only through its methods.
 */
export class VariableScope {
  private readonly args = new Map<string, string>();
  private env = new Map<string, string>();

  constructor(
    /** `--build-arg` values and the automatic platform args. */
    private readonly overrides: ReadonlyMap<string, string>,
    /** Global ARG values (before the first FROM), for `ARG NAME` re-declarations without default. */
    private readonly globals: ReadonlyMap<string, string>,
    /** Called with each declared name, so the planner can report unconsumed build args. */
    private readonly consumed: (name: string) => void,
  ) {}

  /** `ARG name[=default]`: the override wins, then the default, then the global value. */
  declare(name: string, defaultValue: string | undefined): void {
    this.consumed(name);
    const value = this.overrides.get(name) ?? defaultValue ?? this.globals.get(name);
    if (value !== undefined) this.args.set(name, value);
    else this.args.delete(name);
  }

  setEnvList(env: readonly string[]): void {
    this.env = new Map();
    for (const kv of env) {
      const eq = kv.indexOf("=");
      if (eq > 0) this.env.set(kv.slice(0, eq), kv.slice(eq + 1));
      else this.env.set(kv, "");
    }
  }

  /** What `$NAME` expands to in this stage. */
  expansionEnv(): Map<string, string> {
    const all = new Map(this.args);
    for (const [k, v] of this.env) all.set(k, v);
    return all;
  }

  /**
   * Declared args not shadowed by ENV, as `K=V`, sorted, for RUN's environment. Proxy args are
   * added even undeclared (Docker passes them through); `forKey` leaves those out of cache keys.
   */
  runArgs(forKey: boolean): string[] {
    const out = new Map<string, string>();
    for (const [k, v] of this.args) if (!this.env.has(k)) out.set(k, v);
    if (!forKey) {
      for (const [k, v] of this.overrides) if (PROXY_ARGS.has(k) && !this.env.has(k)) out.set(k, v);
    } else {
      for (const k of PROXY_ARGS) out.delete(k);
    }
    return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
  }
}
