import type { Directive } from "../ast";
import type { ParseContext } from "../instructions/context";

/** `# check=skip=Rule1,Rule2;error=true`: which rules to skip and whether warnings fail the build. */
export interface CheckOptions {
  skip: ReadonlySet<string>;
  skipAll: boolean;
  error: boolean;
  /** Experimental rules run only when named here (`experimental=Rule`), or all with `experimental=all`. */
  experimental: ReadonlySet<string>;
  experimentalAll: boolean;
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
  skip: new Set(),
  skipAll: false,
  error: false,
  experimental: new Set(),
  experimentalAll: false,
};

/** Whether `rule` runs under `options`: experimental rules are opt-in and ignore `skip`, as in BuildKit. */
export function ruleEnabled(options: CheckOptions, rule: { name: string; experimental?: boolean }): boolean {
  if (rule.experimental === true) return options.experimentalAll || options.experimental.has(rule.name);
  return !options.skipAll && !options.skip.has(rule.name);
}

export function parseCheckDirective(ctx: ParseContext, directive: Directive | undefined): CheckOptions {
  if (directive === undefined) return DEFAULT_CHECK_OPTIONS;
  const skip = new Set<string>();
  let skipAll = false;
  let error = false;
  const experimental = new Set<string>();
  let experimentalAll = false;
  for (const part of directive.value.split(";")) {
    const option = part.trim();
    if (option === "") continue;
    const eq = option.indexOf("=");
    const key = (eq < 0 ? option : option.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : option.slice(eq + 1).trim();
    switch (key) {
      case "skip":
        for (const name of value.split(",").map((s) => s.trim())) {
          if (name.toLowerCase() === "all") skipAll = true;
          else if (name !== "") skip.add(name);
        }
        break;
      case "error":
        if (!/^(true|false)$/i.test(value)) {
          throw ctx.error(directive.span, `invalid check directive: error=${value} (expected true or false)`);
        }
        error = value.toLowerCase() === "true";
        break;
      case "experimental":
        for (const name of value.split(",").map((s) => s.trim())) {
          if (name.toLowerCase() === "all") experimentalAll = true;
          else if (name !== "") experimental.add(name);
        }
        break;
      default:
        throw ctx.error(
          directive.span,
          `invalid check directive option "${key}" (expected skip, error or experimental)`,
        );
    }
  }
  return { skip, skipAll, error, experimental, experimentalAll };
}
