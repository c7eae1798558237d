import type { InstructionNode, Span, Word } from "../../../src/parser/ast";
import { ParseContext } from "../../../src/parser/instructions/context";

/**
 * Builds the raw node the parser would give for one simple physical line (no quotes, no
 * continuations), in the argument shapes of the AST contract — so instruction parsers can be
 * tested on their own.
 */
export function buildNode(line: string, lineNo = 1, columnOffset = 0): InstructionNode {
  const tokens = tokenize(line, lineNo, columnOffset);
  const [keywordToken, ...rest] = tokens;
  const flags: Word[] = [];
  while (rest.length > 0 && rest[0].value.startsWith("--")) flags.push(rest.shift() as Word);
  const keyword = keywordToken.value.toUpperCase();
  const restStart = rest.length > 0 ? rest[0].span.start.column - 1 - columnOffset : line.length;
  const restText = line.slice(restStart).trim();
  const restWord: Word = { value: restText, span: spanOf(lineNo, restStart + columnOffset, restText.length) };
  let args: Word[] = [];
  let json = false;
  let child: InstructionNode | undefined;
  const jsonWords = (): Word[] | undefined => {
    if (!restText.startsWith("[")) return undefined;
    try {
      const parsed: unknown = JSON.parse(restText);
      if (!Array.isArray(parsed)) return undefined;
      json = true;
      return parsed.map((value) => ({ value: String(value), span: restWord.span }));
    } catch {
      return undefined;
    }
  };
  switch (keyword) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
    case "SHELL":
      args = jsonWords() ?? (restText === "" ? [] : [restWord]);
      break;
    case "ADD":
    case "COPY":
    case "VOLUME":
      args = jsonWords() ?? rest;
      break;
    case "MAINTAINER":
    case "USER":
    case "WORKDIR":
    case "STOPSIGNAL":
      args = restText === "" ? [] : [restWord];
      break;
    case "ENV":
    case "LABEL":
      args = keyValueTriples(rest, restWord, lineNo);
      break;
    case "HEALTHCHECK": {
      if (rest.length === 0) break;
      const [type] = rest;
      const afterType = line.slice(type.span.end.column - columnOffset).trim();
      const afterStart = line.indexOf(afterType, type.span.end.column - columnOffset);
      const afterWord: Word = {
        value: afterType,
        span: spanOf(lineNo, afterStart + columnOffset, afterType.length),
      };
      let parsed: unknown;
      try {
        parsed = afterType.startsWith("[") ? JSON.parse(afterType) : undefined;
      } catch {
        parsed = undefined;
      }
      if (Array.isArray(parsed)) {
        json = true;
        args = [type, ...parsed.map((value) => ({ value: String(value), span: afterWord.span }))];
      } else {
        args = afterType === "" ? [type] : [type, afterWord];
      }
      break;
    }
    case "ONBUILD":
      child = buildNode(restText, lineNo, restStart + columnOffset);
      break;
    default:
      args = rest;
  }
  const span = spanOf(lineNo, columnOffset, line.length);
  return {
    keyword: keywordToken.value,
    keywordSpan: keywordToken.span,
    flags,
    args,
    json,
    ...(child ? { child } : {}),
    heredocs: [],
    original: line,
    span,
  };
}

function keyValueTriples(words: Word[], restWord: Word, lineNo: number): Word[] {
  if (words.length === 0) return [];
  const sep = (value: string, at: Span): Word => ({ value, span: at });
  if (!words[0].value.includes("=")) {
    const valueText = restWord.value.slice(words[0].value.length).trim();
    const valueColumn =
      restWord.span.start.column - 1 + restWord.value.indexOf(valueText, words[0].value.length);
    return [
      words[0],
      { value: valueText, span: spanOf(lineNo, valueColumn, valueText.length) },
      sep("", words[0].span),
    ];
  }
  return words.flatMap((word) => {
    const eq = word.value.indexOf("=");
    const col = word.span.start.column - 1;
    return [
      { value: word.value.slice(0, eq), span: spanOf(lineNo, col, eq) },
      { value: word.value.slice(eq + 1), span: spanOf(lineNo, col + eq + 1, word.value.length - eq - 1) },
      sep("=", word.span),
    ];
  });
}

function tokenize(line: string, lineNo: number, columnOffset: number): Word[] {
  const words: Word[] = [];
  for (const match of line.matchAll(/\S+/g)) {
    words.push({ value: match[0], span: spanOf(lineNo, (match.index ?? 0) + columnOffset, match[0].length) });
  }
  return words;
}

/** A span of `length` characters starting at 0-based column `start0`. */
function spanOf(line: number, start0: number, length: number): Span {
  return { start: { line, column: start0 + 1 }, end: { line, column: start0 + Math.max(1, length) } };
}

/** A context over the given lines (for error rendering). */
export function contextFor(...lines: string[]): ParseContext {
  return new ParseContext("Dockerfile", lines);
}
