import nearley from "nearley";
import type { Directive, DockerfileAst, InstructionNode, Span } from "./ast";
import { DockerfileError } from "./errors";
import compiledGrammar from "./generated/dockerfile";
import { type List, listToArray } from "./grammar-actions";
import { DockerfileLexer, type LineToken } from "./lexer";

/**
 * parse(): Dockerfile text → low-level AST (BuildKit's parser.Parse, plus exact spans).
 * Every failure is a DockerfileError naming file, line and column.
 */
export interface ParseOptions {
  /** Display name for errors; defaults to "Dockerfile". */
  file?: string;
}

const grammar = nearley.Grammar.fromCompiled(compiledGrammar);

interface GrammarResult {
  directives: List<LineToken>;
  instructions: List<InstructionNode>;
}

export function parse(text: string, opts: ParseOptions = {}): DockerfileAst {
  const file = opts.file ?? "Dockerfile";
  try {
    return parseText(text, file);
  } catch (err) {
    if (err instanceof DockerfileError) throw err;
    // A bug, not bad input: still report it as a located, typed error rather than crash callers.
    const detail = err instanceof Error ? err.message : String(err);
    const at = { line: 1, column: 1 };
    throw new DockerfileError(
      `parse Dockerfile: internal parser error: ${detail}`,
      file,
      { start: at, end: at },
      undefined,
      "DOCKERFILE_INTERNAL",
    );
  }
}

function parseText(input: string, file: string): DockerfileAst {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lexer = new DockerfileLexer(file);
  const parser = new nearley.Parser(grammar);
  parser.lexer = lexer;
  parser.feed(text);
  if (lexer.error !== undefined) throw lexer.error;
  if (parser.results.length !== 1) {
    throw new Error(`grammar produced ${parser.results.length} parses`);
  }
  // nearley's results are untyped; they are what grammar/*.ne builds.
  const result = parser.results[0] as GrammarResult;
  const instructions = listToArray(result.instructions);
  if (instructions.length === 0) {
    const line = Math.max(1, lexer.lines.length);
    const at = { line, column: 1 };
    throw new DockerfileError(
      "file with no instructions",
      file,
      { start: at, end: at },
      lexer.lines[line - 1],
    );
  }
  // nearley's results are untyped; they are what grammar/*.ne builds.
  const directives: Directive[] = listToArray(result.directives).map((t) => t.directive as Directive);
  const span: Span = {
    start: instructions[0].span.start,
    end: instructions[instructions.length - 1].span.end,
  };
  return { file, directives, escapeToken: lexer.escapeToken, instructions, lines: lexer.lines, span };
}
