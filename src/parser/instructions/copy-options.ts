import type { Heredoc, InstructionNode, Word } from "../ast";
import type { FlagValue, ParsedFlags } from "../flags";
import { hasVariable } from "./base";
import { subSpan, type ParseContext } from "./context";

/**
 * What COPY and ADD share: sources and destination, ownership, mode, link/parents/exclude. The
 * value checks are exported for the planner to re-run on values that held build arguments.
 */
export interface CopyOptions {
  /** Sources as written (paths, globs, URLs, `<<EOF` heredoc words), unexpanded. */
  sources: Word[];
  dest: Word;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  heredocs: Heredoc[];
}

/** Octal (`755`, `0644`) or symbolic (`u+x,g-w`, `a=rX`) mode; undefined when valid. */
export function checkChmod(value: string): string | undefined {
  // BuildKit's wording for anything that looks numeric (its users grep for it).
  const notOctal = `invalid chmod parameter: '${value}'. it should be octal string and between 0 and 07777`;
  if (/^[0-7]+$/.test(value)) return parseInt(value, 8) <= 0o7777 ? undefined : notOctal;
  if (/^[0-9]/.test(value)) return notOctal;
  const clause = /^[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+$/;
  if (value.split(",").every((part) => clause.test(part))) return undefined;
  return "expected an octal mode like 755 or a symbolic mode like u+x,g-w";
}

/** `user`, `user:group`, `uid:gid`; undefined when valid. */
export function checkChown(value: string): string | undefined {
  const parts = value.split(":");
  if (parts.length > 2) return "expected user[:group]";
  if (parts[0] === "") return "the user is empty";
  if (parts.length === 2 && parts[1] === "") return "the group is empty";
  return undefined;
}

const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** go-digest's grammar of a digest: `algorithm:encoded`. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * `sha256:<64 hex>` (or sha384/sha512); undefined when valid. The problems are go-digest's, as
 * BuildKit reports them: no algorithm → "invalid checksum digest format", an algorithm it has no
 * implementation of (md5, unknown) → "unsupported digest algorithm", then length and hex digits.
 */
export function checkChecksum(value: string): string | undefined {
  const colon = value.indexOf(":");
  if (colon <= 0 || colon + 1 === value.length)
    return "invalid checksum digest format (expected sha256:<hex>)";
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined) {
    if (!DIGEST_GRAMMAR.test(value)) return "invalid checksum digest format (expected sha256:<hex>)";
    return `unsupported digest algorithm ${JSON.stringify(algorithm)} (sha256, sha384 or sha512)`;
  }
  if (hex.length !== length)
    return `invalid checksum digest length: a ${algorithm} digest has ${length} hex digits`;
  if (!/^[0-9a-f]+$/.test(hex))
    return `invalid checksum digest format: a ${algorithm} digest is lowercase hex`;
  return undefined;
}

/** Runs `check` on a flag's value unless it holds a build argument; throws at the value. */
export function checkFlag(
  ctx: ParseContext,
  keyword: string,
  flag: FlagValue | undefined,
  check: (value: string) => string | undefined,
): string | undefined {
  if (flag === undefined) return undefined;
  if (!hasVariable(flag.value)) {
    const problem = check(flag.value);
    if (problem !== undefined) {
      throw ctx.error(
        subSpan(flag.word, flag.valueOffset, flag.value.length),
        `invalid --${flag.name}=${flag.value} for ${keyword}: ${problem}`,
      );
    }
  }
  return flag.value;
}

export function parseCopyOptions(
  ctx: ParseContext,
  keyword: "COPY" | "ADD",
  node: InstructionNode,
  flags: ParsedFlags,
): CopyOptions {
  const args = node.args;
  if (args.length < 2) {
    const at = args[0]?.span ?? node.keywordSpan;
    const found = args.length === 0 ? "none was" : "only one was";
    throw ctx.error(
      at,
      `${keyword} requires at least two arguments (sources and a destination), but ${found} given`,
    );
  }
  for (const word of args) {
    if (word.value === "") throw ctx.error(word.span, `${keyword} arguments must not be empty`);
  }
  const dest = args[args.length - 1];
  if (/^\d*<<-?/.test(dest.value) && node.heredocs.length > 0) {
    throw ctx.error(dest.span, `${keyword} cannot accept a heredoc as a destination`);
  }
  const options: CopyOptions = {
    sources: args.slice(0, -1),
    dest,
    link: flags.bool("link"),
    parents: flags.bool("parents"),
    exclude: flags.list("exclude").map((flag) => flag.value),
    heredocs: node.heredocs,
  };
  const chown = checkFlag(ctx, keyword, flags.get("chown"), checkChown);
  if (chown !== undefined) options.chown = chown;
  const chmod = checkFlag(ctx, keyword, flags.get("chmod"), checkChmod);
  if (chmod !== undefined) options.chmod = chmod;
  return options;
}
