import type { Word } from "./ast";
import type { ParseContext } from "./instructions/context";
import { subSpan } from "./instructions/context";
import { didYouMean } from "./suggest";

/**
 * Instruction flags (`--from=build`, `--link`, `--mount=...` repeated), like BuildKit's BFlags:
 * each instruction declares the flags it accepts and their kind; anything else is an error that
 * points at the flag word.
 *
 * - `string`: needs `=value`, at most once.
 * - `bool`: bare (`--link`) or `=true`/`=false`, at most once.
 * - `list`: needs `=value`, may repeat (`--mount`, `--exclude`).
 */
export type FlagKind = "string" | "bool" | "list";

export type FlagSpec = Readonly<Record<string, FlagKind>>;

/** One flag as written: its name, its value (after `=`), and where the value starts in the word. */
export interface FlagValue {
  name: string;
  value: string;
  word: Word;
  /** Offset of the value within `word.value` (after `--name=`). */
  valueOffset: number;
}

export class ParsedFlags {
  private readonly byName = new Map<string, FlagValue[]>();

  add(flag: FlagValue): void {
    const list = this.byName.get(flag.name) ?? [];
    list.push(flag);
    this.byName.set(flag.name, list);
  }

  /** A `string` flag's occurrence, if given. */
  get(name: string): FlagValue | undefined {
    return this.byName.get(name)?.[0];
  }

  /** A `string` flag's value, if given. */
  string(name: string): string | undefined {
    return this.get(name)?.value;
  }

  /** A `bool` flag's value (false when absent). */
  bool(name: string): boolean {
    const flag = this.get(name);
    return flag !== undefined && flag.value.toLowerCase() !== "false";
  }

  /** Every occurrence of a `list` flag, in order. */
  list(name: string): FlagValue[] {
    return this.byName.get(name) ?? [];
  }
}

/** Parses an instruction's flag words against what `keyword` accepts. */
export function parseFlags(
  ctx: ParseContext,
  keyword: string,
  words: readonly Word[],
  spec: FlagSpec,
): ParsedFlags {
  const parsed = new ParsedFlags();
  const known = Object.keys(spec).map((name) => `--${name}`);
  for (const word of words) {
    const text = word.value.startsWith("--") ? word.value.slice(2) : word.value;
    const eq = text.indexOf("=");
    const name = eq < 0 ? text : text.slice(0, eq);
    const value = eq < 0 ? undefined : text.slice(eq + 1);
    const nameSpan = subSpan(word, 0, 2 + name.length);
    const kind = spec[name];
    if (kind === undefined) {
      const hint =
        known.length === 0
          ? ` (${keyword} takes no flags)`
          : didYouMean(`--${name}`, known).replace("--", "");
      // BuildKit's wording ("unknown flag: mont"), with the instruction.
      throw ctx.error(nameSpan, `unknown flag: ${name} for ${keyword}${hint}`);
    }
    if (kind !== "list" && parsed.get(name) !== undefined) {
      throw ctx.error(nameSpan, `duplicate flag --${name} for ${keyword}`);
    }
    const valueOffset = 2 + name.length + 1;
    if (kind === "bool") {
      if (value !== undefined && !/^(true|false)$/i.test(value)) {
        throw ctx.error(
          subSpan(word, valueOffset, value.length),
          `invalid value for flag --${name}: "${value}" (expected true or false)`,
        );
      }
      parsed.add({ name, value: value ?? "true", word, valueOffset });
      continue;
    }
    if (value === undefined || value === "") {
      throw ctx.error(nameSpan, `missing value for flag --${name}`);
    }
    parsed.add({ name, value, word, valueOffset });
  }
  return parsed;
}
