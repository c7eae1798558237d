import type { ShellEnv } from "../parser/shell";
import { PROXY_ARGS } from "./build-args";

/**
 * The variables one stage can see while it is dispatched: ARGs declared so far (with their
 * override or default) under the ENV of the image built so far, since ENV wins over ARG with
 * the same name. The scope changes only through its methods, each O(1) per variable, so a stage of
 * n instructions costs O(n) however many variables it declares.
 */
export class VariableScope {
  private readonly args = new Map<string, string>();
  /**
   * Every name declared by ARG in this stage, with or without a value, in first-declaration order
   * (BuildKit's buildArgs; UndefinedVar ignores them).
   */
  private readonly declared = new Set<string>();
  private readonly env = new Map<string, string>();
  /** runArgs results, dropped whenever a variable changes (RUN/COPY read them far more often). */
  private runArgsCache: { forKey: string[] | undefined; forRun: string[] | undefined } = {
    forKey: undefined,
    forRun: undefined,
  };
  /** A live view for expansion: `$NAME` is the ENV value, else the ARG value. */
  private readonly lookup = (name: string): string | undefined => this.env.get(name) ?? this.args.get(name);

  constructor(
    /** `--build-arg` values and the automatic platform args. */
    private readonly overrides: ReadonlyMap<string, string>,
    /** Global ARG values (before the first FROM), for `ARG NAME` re-declarations without default. */
    private readonly globals: ReadonlyMap<string, string>,
    /** Called with each declared name, so the planner can report unconsumed build args. */
    private readonly consumed: (name: string) => void,
  ) {}

  /**
   * `ARG name[=default]`: the override wins, then the default, then the global value. Returns
   * the value (undefined: the ARG has none).
   */
  declare(name: string, defaultValue: string | undefined): string | undefined {
    this.consumed(name);
    this.declared.add(name);
    const value = this.overrides.get(name) ?? defaultValue ?? this.globals.get(name);
    if (value !== undefined) this.args.set(name, value);
    else this.args.delete(name);
    this.changed();
    return value;
  }

  /**
   * The build args as BuildKit writes them in RUN's history (`RUN |N k=v ...`): every declared
   * ARG in declaration order, a redeclared one at its first place with its latest value; the
   * value is what `$NAME` is now (ENV included), "" for an ARG without value.
   */
  historyArgs(): string[] {
    return [...this.declared].map((k) => `${k}=${this.lookup(k) ?? ""}`);
  }

  /** `--build-arg` (or an automatic platform arg) gives `name` its value. */
  overridden(name: string): boolean {
    return this.overrides.has(name);
  }

  /** The `--build-arg` (or automatic platform arg) value of `name`, declared or not. */
  override(name: string): string | undefined {
    return this.overrides.get(name);
  }

  /** Replaces the ENV view with an image's `K=V` list (at the start of a stage). */
  setEnvList(env: readonly string[]): void {
    this.env.clear();
    for (const kv of env) {
      const eq = kv.indexOf("=");
      if (eq > 0) this.env.set(kv.slice(0, eq), kv.slice(eq + 1));
      else this.env.set(kv, "");
    }
    this.changed();
  }

  /** One `ENV key=value`. */
  setEnv(key: string, value: string): void {
    this.env.set(key, value);
    this.changed();
  }

  /**
   * What `$NAME` expands to in this stage, as a live lookup (no copy): a dispatch function must
   * expand all of an instruction's words before it changes the scope.
   */
  expansionEnv(): ShellEnv {
    return this.lookup;
  }

  /**
   * Declared args not shadowed by ENV, as `K=V`, sorted, for RUN's environment. Proxy args are
   * added even undeclared (Docker passes them through); `forKey` leaves those out of cache keys.
   * The array is frozen and shared until a variable changes.
   */
  runArgs(forKey: boolean): string[] {
    const cached = forKey ? this.runArgsCache.forKey : this.runArgsCache.forRun;
    if (cached !== undefined) return cached;
    const out = new Map<string, string>();
    for (const [k, v] of this.args) if (!this.env.has(k)) out.set(k, v);
    if (!forKey) {
      // BuildKit's proxy env: a --build-arg named like a proxy variable in any case sets both
      // HTTP_PROXY and http_proxy (keys in sorted order, so the last spelling wins).
      const proxies = new Map<string, string>();
      for (const k of [...this.overrides.keys()].sort()) {
        const upper = k.toUpperCase();
        if (PROXY_ARGS.has(upper)) proxies.set(upper, this.overrides.get(k) ?? "");
      }
      for (const [upper, v] of proxies)
        for (const k of [upper, upper.toLowerCase()]) if (!this.env.has(k)) out.set(k, v);
    } else {
      for (const k of PROXY_ARGS) out.delete(k);
    }
    const sorted = [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    // Frozen: the same array is handed to every step until a variable changes.
    const list = Object.freeze(sorted.map(([k, v]) => `${k}=${v}`)) as string[];
    if (forKey) this.runArgsCache.forKey = list;
    else this.runArgsCache.forRun = list;
    return list;
  }

  /** Whether `$name` refers to something this stage defined: an ENV, or an ARG even without value. */
  isDefined(name: string): boolean {
    return this.env.has(name) || this.declared.has(name);
  }

  /** Names a misspelt `$name` may have meant: ENV keys and declared ARGs. */
  knownNames(): string[] {
    return [...this.env.keys(), ...this.declared];
  }

  private changed(): void {
    this.runArgsCache = { forKey: undefined, forRun: undefined };
  }
}
