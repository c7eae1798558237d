import type { InstructionNode, Word } from "../ast";
import { parseFlags } from "../flags";
import { base, hasVariable, type InstructionBase } from "./base";
import { subSpan, type ParseContext } from "./context";

/** `FROM [--platform=P] image [AS name]`: starts a build stage. */
export interface FromInstruction extends InstructionBase<"FROM"> {
  /** The base image reference, stage name or `scratch`, unexpanded. */
  baseName: string;
  baseNameWord: Word;
  /** The stage name as written (its lowercase form is what other instructions refer to). */
  stageName?: string;
  stageNameWord?: Word;
  /** The `AS` word as written (for casing checks). */
  asWord?: Word;
  platform?: string;
  platformWord?: Word;
}

/** BuildKit's stage-name rule, applied to the lowercased name. */
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** `os[/arch[/variant]]`, each part a plain token; `$VAR` values are checked after expansion. */
const PLATFORM = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;

export function parseFrom(ctx: ParseContext, node: InstructionNode): FromInstruction {
  const flags = parseFlags(ctx, "FROM", node.flags, { platform: "string" });
  const args = node.args;
  if (args.length === 0) {
    throw ctx.error(node.keywordSpan, "FROM requires an image name");
  }
  if (args.length === 2 || args.length > 3) {
    const extra = args.length === 2 ? args[1] : args[3];
    throw ctx.error(extra.span, "FROM requires either one or three arguments: FROM image [AS name]");
  }
  const out: FromInstruction = { ...base("FROM", node), baseName: args[0].value, baseNameWord: args[0] };
  if (args.length === 3) {
    const [, asWord, nameWord] = args;
    if (asWord.value.toLowerCase() !== "as") {
      throw ctx.error(asWord.span, `expected AS after the image name, found "${asWord.value}"`);
    }
    validateStageName(ctx, nameWord);
    out.asWord = asWord;
    out.stageName = nameWord.value;
    out.stageNameWord = nameWord;
  }
  const platform = flags.get("platform");
  if (platform) {
    if (!hasVariable(platform.value) && !PLATFORM.test(platform.value)) {
      throw ctx.error(
        subSpan(platform.word, platform.valueOffset, platform.value.length),
        `invalid --platform value "${platform.value}" (expected os[/arch[/variant]], e.g. linux/amd64)`,
      );
    }
    out.platform = platform.value;
    out.platformWord = platform.word;
  }
  return out;
}

function validateStageName(ctx: ParseContext, word: Word): void {
  if (!STAGE_NAME.test(word.value.toLowerCase())) {
    throw ctx.error(
      word.span,
      `invalid stage name "${word.value}": it must start with a letter and contain only letters, digits, "-", "_" and "."`,
    );
  }
}
