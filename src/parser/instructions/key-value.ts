import type { InstructionNode, Word } from "../ast";
import type { ParseContext } from "./context";

/** One `key=value` (or legacy `key value`) pair of ENV or LABEL, unexpanded, quotes kept. */
export interface KeyValuePair {
  key: string;
  value: string;
  keyWord: Word;
  valueWord: Word;
  /** Written in the legacy `KEY value` form (one pair per instruction, no `=`). */
  legacy: boolean;
}

/** Reads the parser's flat key, value, separator triples (see the AST contract). */
export function parseKeyValuePairs(
  ctx: ParseContext,
  keyword: string,
  node: InstructionNode,
): KeyValuePair[] {
  const args = node.args;
  if (args.length === 0) {
    throw ctx.error(node.keywordSpan, `${keyword} requires at least one key=value pair`);
  }
  if (args.length % 3 !== 0) {
    throw ctx.error(args[args.length - 1].span, `${keyword}: malformed key=value pairs`);
  }
  const pairs: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const [keyWord, valueWord, sep] = [args[i], args[i + 1], args[i + 2]];
    if (keyWord.value === "") {
      throw ctx.error(keyWord.span, `${keyword} names can not be blank`);
    }
    pairs.push({ key: keyWord.value, value: valueWord.value, keyWord, valueWord, legacy: sep.value === "" });
  }
  return pairs;
}
