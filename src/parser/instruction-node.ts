import type { InstructionNode, Position, Span, Word } from "./ast";
import { parseJsonArray } from "./args/json";
import type { Located } from "./args/located";
import { ArgumentProblem, parseNameValue } from "./args/name-value";
import { splitHealthcheck } from "./args/healthcheck";
import { splitWhitespace } from "./args/whitespace-split";
import { wholeString } from "./args/whole-string";
import { parseWords } from "./args/words";
import { type LogicalLine, positionAt } from "./continuation";
import { DockerfileError } from "./errors";
import { splitCommand } from "./split-command";

/**
 * Turns one logical line into an InstructionNode (BuildKit's newNodeFromLine): keyword, flags, and
 * the arguments shaped per instruction (see the dispatch table below), each with its source span.
 */
export interface NodeContext {
  file: string;
  escapeToken: string;
  /** Physical lines read so far, for error excerpts. */
  lines: string[];
}

const NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only";

type Shape =
  | "json-or-split"
  | "json-or-string"
  | "split"
  | "string"
  | "name-value"
  | "words"
  | "healthcheck"
  | "onbuild";

const SHAPES = new Map<string, Shape>(
  Object.entries({
    add: "json-or-split",
    copy: "json-or-split",
    volume: "json-or-split",
    run: "json-or-string",
    cmd: "json-or-string",
    entrypoint: "json-or-string",
    shell: "json-or-string",
    from: "split",
    expose: "split",
    maintainer: "string",
    user: "string",
    workdir: "string",
    stopsignal: "string",
    env: "name-value",
    label: "name-value",
    arg: "words",
    healthcheck: "healthcheck",
    onbuild: "onbuild",
  } satisfies Record<string, Shape>),
);

const HEREDOC_KEYWORDS = new Set(["run", "copy", "add"]);

/** Whether BuildKit would look for heredocs in this logical line (RUN/COPY/ADD, or ONBUILD of one, not JSON). */
export function allowsHeredocs(text: string): boolean {
  let cmd = splitCommand(text, 0, text.length);
  if (cmd.keyword.value.toLowerCase() === "onbuild") {
    if (cmd.restStart >= cmd.restEnd) return false;
    cmd = splitCommand(text, cmd.restStart, cmd.restEnd);
  }
  if (!HEREDOC_KEYWORDS.has(cmd.keyword.value.toLowerCase())) return false;
  if (cmd.restStart >= cmd.restEnd) return true;
  return parseJsonArray(text, cmd.restStart, cmd.restEnd).kind === "not-json";
}

export function spanOf(logical: LogicalLine, start: number, end: number): Span {
  return { start: positionAt(logical, start), end: positionAt(logical, Math.max(start, end - 1)) };
}

class NodeBuilder {
  constructor(
    private readonly logical: LogicalLine,
    private readonly ctx: NodeContext,
  ) {}

  word(loc: Located): Word {
    return { value: loc.value, span: spanOf(this.logical, loc.start, loc.end) };
  }

  fail(problem: string, start: number, end: number): never {
    const span = spanOf(this.logical, start, end);
    throw new DockerfileError(problem, this.ctx.file, span, this.ctx.lines[span.start.line - 1]);
  }

  node(from: number, to: number): InstructionNode {
    const text = this.logical.text;
    const cmd = splitCommand(text, from, to);
    const node: InstructionNode = {
      keyword: cmd.keyword.value,
      keywordSpan: spanOf(this.logical, cmd.keyword.start, cmd.keyword.end),
      flags: cmd.flags.map((f) => this.word(f)),
      args: [],
      json: false,
      heredocs: [],
      original: text.slice(cmd.lineStart, cmd.lineEnd),
      span: spanOf(this.logical, cmd.lineStart, cmd.lineEnd),
    };
    const { restStart: ra, restEnd: rb } = cmd;
    const shape = SHAPES.get(cmd.keyword.value.toLowerCase());
    let args: Located[];
    switch (shape) {
      case undefined:
        // Unknown keyword: BuildKit keeps one empty argument and lets the next layer reject it.
        args = [{ value: "", start: ra, end: ra }];
        break;
      case "json-or-split":
      case "json-or-string":
        if (shape === "json-or-string" && ra >= rb) {
          args = [];
          break;
        }
        args = this.maybeJson(node, ra, rb, shape === "json-or-split");
        break;
      case "split":
        args = splitWhitespace(text, ra, rb);
        break;
      case "string":
        args = wholeString(text, ra, rb);
        break;
      case "name-value": {
        const r = parseNameValue(text, ra, rb, this.ctx.escapeToken, cmd.keyword.value.toUpperCase());
        if (r instanceof ArgumentProblem) this.fail(r.problem, r.start, r.end);
        args = r;
        break;
      }
      case "words":
        args = parseWords(text, ra, rb, this.ctx.escapeToken);
        break;
      case "healthcheck": {
        if (ra >= rb) {
          args = [];
          break;
        }
        const { typeEnd, cmdStart } = splitHealthcheck(text, ra, rb);
        args = [{ value: text.slice(ra, typeEnd), start: ra, end: typeEnd }];
        if (cmdStart < rb) args.push(...this.maybeJson(node, cmdStart, rb, false));
        break;
      }
      case "onbuild":
        args = [];
        if (ra < rb) node.child = this.node(ra, rb);
        break;
    }
    node.args = args.map((a) => this.word(a));
    return node;
  }

  private maybeJson(node: InstructionNode, from: number, to: number, splitFallback: boolean): Located[] {
    const text = this.logical.text;
    const json = parseJsonArray(text, from, to);
    if (json.kind === "array") {
      node.json = true;
      return json.words;
    }
    if (json.kind === "not-strings") this.fail(NOT_STRINGS, json.offset, to);
    return splitFallback ? splitWhitespace(text, from, to) : wholeString(text, from, to);
  }
}

/** Builds the node for a complete logical line; `end` is where the instruction's last consumed line ends. */
export function buildInstruction(logical: LogicalLine, ctx: NodeContext, end: Position): InstructionNode {
  const node = new NodeBuilder(logical, ctx).node(0, logical.text.length);
  node.span = { start: node.keywordSpan.start, end };
  return node;
}
