import type { Argv, ArgumentsCamelCase } from "yargs";

/**
 * The common command line without yargs: building yargs' parser, registering every command and
 * running its validation costs more than a no-change rebuild's own work, so `tsbuild [build] …`
 * whose every token is plainly valid is parsed here, from the same flag table the command's yargs
 * builder defines (`.option()`, `.options()`, `.positional()`; the builder runs against a
 * recorder). Anything else — help, completion, an unknown or malformed flag, a value yargs would
 * reject or read differently — returns undefined and goes through yargs, which owns every message
 * and exit status. So this path only ever accepts what yargs accepts, with the same result
 * (test/cli/fast-args.test.ts compares the two on every flag of the table).
 */
export interface FlagSpec {
  type: "string" | "boolean";
  alias: string[];
  choices?: readonly string[];
}

export interface FlagTable {
  flags: Map<string, FlagSpec>;
  /** `parserConfiguration({"boolean-negation": false})`: `--no-x` is a flag of its own. */
  noNegation: boolean;
  /** Positional names, in order (`build [context]`: ["context"]). */
  positionals: string[];
}

/** Keys of an option spec this parser understands; any other makes the table unsupported. */
const KNOWN_KEYS = new Set(["type", "alias", "describe", "description", "requiresArg", "choices"]);
/** Builder methods that record flags, or change nothing the parser relies on. */
const RECORDING = new Set([
  "option",
  "options",
  "positional",
  "parserConfiguration",
  "usage",
  "example",
  "epilog",
]);

/**
 * The flag table a yargs builder defines, or undefined when it uses anything this parser does not
 * model (then the command always goes through yargs).
 */
export function recordFlagTable(builder: (y: Argv) => Argv): FlagTable | undefined {
  const table: FlagTable = { flags: new Map(), noNegation: false, positionals: [] };
  let supported = true;
  const add = (name: string, spec: Record<string, unknown>): void => {
    if (!Object.keys(spec).every((k) => KNOWN_KEYS.has(k))) supported = false;
    const alias = spec.alias === undefined ? [] : Array.isArray(spec.alias) ? spec.alias : [spec.alias];
    const choices = spec.choices;
    const type = choices !== undefined && spec.type === undefined ? "string" : spec.type;
    if (
      (type !== "string" && type !== "boolean") ||
      !alias.every((a): a is string => typeof a === "string") ||
      (choices !== undefined && (!Array.isArray(choices) || !choices.every((c) => typeof c === "string")))
    ) {
      supported = false;
      return;
    }
    const flag: FlagSpec = { type, alias };
    if (choices !== undefined) flag.choices = choices;
    table.flags.set(name, flag);
  };
  const recorder: Record<string, unknown> = {};
  const proxy: object = new Proxy(recorder, {
    get(_target, method) {
      return (...args: unknown[]): object => {
        if (typeof method !== "string" || !RECORDING.has(method)) supported = false;
        else if (method === "option" && typeof args[0] === "string" && isObject(args[1]))
          add(args[0], args[1]);
        else if (method === "options" && isObject(args[0]))
          for (const [name, spec] of Object.entries(args[0])) {
            if (isObject(spec)) add(name, spec);
            else supported = false;
          }
        else if (method === "positional" && typeof args[0] === "string" && isObject(args[1])) {
          if (args[1].type !== "string") supported = false;
          table.positionals.push(args[0]);
        } else if (method === "parserConfiguration") {
          // The only setting the builders use.
          if (!isObject(args[0]) || Object.keys(args[0]).some((k) => k !== "boolean-negation"))
            supported = false;
          else table.noNegation = args[0]["boolean-negation"] === false;
        } else if (method === "option" || method === "options" || method === "positional") supported = false;
        return proxy;
      };
    },
  });
  try {
    // The recorder answers every method a builder chains (returning itself) and records the
    // flag-defining ones; a builder that reads anything back fails here and keeps yargs.
    builder(proxy as Argv);
  } catch {
    return undefined;
  }
  return supported ? table : undefined;
}

/**
 * `argv` (after the command name) parsed as yargs would, or undefined when yargs must decide: an
 * unknown flag, a flag without its value, a value outside `choices`, `--`, `-` or anything that
 * starts with `-` as a value, short-flag groups, `--x=` forms of booleans, too many positionals.
 */
export function fastParse(
  argv: readonly string[],
  table: FlagTable,
  command: readonly string[],
): ArgumentsCamelCase | undefined {
  const byName = new Map<string, [string, FlagSpec]>();
  for (const [name, spec] of table.flags) {
    for (const n of [name, ...spec.alias]) {
      if (byName.has(n)) return undefined;
      byName.set(n, [name, spec]);
    }
  }
  const values = new Map<string, string[] | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    if (token === "-" || token === "--") return undefined;
    const long = token.startsWith("--");
    const eq = long ? token.indexOf("=") : -1;
    const name = long ? token.slice(2, eq === -1 ? undefined : eq) : token.slice(1);
    if (!long && name.length !== 1) return undefined;
    if (long && name.startsWith("no-") && !table.noNegation) return undefined;
    const found = byName.get(name);
    if (found === undefined || name.includes(".")) return undefined;
    const [key, spec] = found;
    if (spec.type === "boolean") {
      if (eq !== -1 || values.has(key)) return undefined;
      values.set(key, true);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = token.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === "" || value.startsWith("-")) return undefined;
    if (spec.choices !== undefined && !spec.choices.includes(value)) return undefined;
    const list = values.get(key);
    if (list === true) return undefined;
    if (list === undefined) values.set(key, [value]);
    else {
      if (spec.choices !== undefined) return undefined; // yargs checks each of several values its own way
      list.push(value);
    }
  }
  if (positionals.length > table.positionals.length) return undefined;
  const out: Record<string, unknown> = { _: [...command], $0: "tsbuild" };
  for (const [key, value] of values) {
    const v = value === true ? true : value.length === 1 ? value[0] : value;
    const spec = table.flags.get(key) as FlagSpec; // values are keyed by table names
    for (const n of [key, ...spec.alias]) {
      out[n] = v;
      out[camelCase(n)] = v;
    }
  }
  table.positionals.forEach((name, i) => {
    if (positionals[i] !== undefined) out[name] = positionals[i];
  });
  // Shaped as yargs' result: `_`, `$0`, and each flag under its names and their camelCase forms.
  return out as ArgumentsCamelCase;
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
