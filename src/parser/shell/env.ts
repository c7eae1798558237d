/**
 * The variables a word is expanded against: a Map, a plain object (own properties only), or a
 * lookup function returning `undefined` for an unset name. A variable set to "" is set.
 */
export type ShellEnv =
  ReadonlyMap<string, string> | Readonly<Record<string, string>> | ((name: string) => string | undefined);

/**
 * Looks names up in a ShellEnv and records which referenced names were set and which were not;
 * the planner uses that to tell which build args an instruction consumed.
 */
export class EnvLookup {
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly find: (name: string) => string | undefined;

  /**
   * @param caseInsensitive compare names ignoring case, as BuildKit does on Windows (an exact
   *   match wins over a case-folded one).
   */
  constructor(env: ShellEnv, caseInsensitive = false) {
    const exact = exactLookup(env);
    this.find = caseInsensitive ? foldedLookup(env, exact) : exact;
  }

  /** The value of `name`, or undefined when it is not set. */
  get(name: string): string | undefined {
    const value = this.find(name);
    if (value === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return value;
  }
}

function exactLookup(env: ShellEnv): (name: string) => string | undefined {
  if (typeof env === "function") return env;
  if (isMap(env)) return (name) => env.get(name);
  const record = env;
  // Own properties only: "constructor" or "__proto__" must not resolve to Object.prototype.
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

function foldedLookup(
  env: ShellEnv,
  exact: (name: string) => string | undefined,
): (name: string) => string | undefined {
  // A function cannot be enumerated; it is asked for the name as given and upper-cased.
  if (typeof env === "function") return (name) => exact(name) ?? exact(name.toUpperCase());
  const folded = new Map<string, string>();
  const entries: Iterable<readonly [string, string]> = isMap(env) ? env.entries() : Object.entries(env);
  for (const [key, value] of entries) {
    const upper = key.toUpperCase();
    if (!folded.has(upper)) folded.set(upper, value);
  }
  return (name) => exact(name) ?? folded.get(name.toUpperCase());
}

/** A record's values are strings, so only a map has callable `get` and `entries`. */
function isMap(env: ShellEnv): env is ReadonlyMap<string, string> {
  // A probe: both fields are checked before anything is called.
  const candidate = env as { get?: unknown; entries?: unknown };
  return typeof candidate.get === "function" && typeof candidate.entries === "function";
}
