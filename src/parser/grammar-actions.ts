import type { Heredoc, InstructionNode, Position } from "./ast";
import { buildInstruction } from "./instruction-node";
import type { LineToken } from "./lexer";

/**
 * The grammar's postprocessors. Lists are persistent cons cells, so a rule completed more than once
 * by the Earley parser never corrupts a sibling's list.
 */
export type List<T> = { head: T; tail: List<T> } | null;

export function cons<T>(tail: List<T>, head: T): List<T> {
  return { head, tail };
}

export function listToArray<T>(list: List<T>): T[] {
  const out: T[] = [];
  for (let l = list; l !== null; l = l.tail) out.push(l.head);
  return out.reverse();
}

/** The end of a token: the last character of its last physical line. */
function tokenEnd(t: LineToken): Position {
  const content = t.lexer.lines[t.endLine - 1] ?? "";
  return { line: t.endLine, column: Math.max(1, content.length) };
}

/** The node of an `instruction` token. */
export function instructionNode(t: LineToken): InstructionNode {
  if (t.logical === undefined) throw new Error("instruction token without a logical line");
  const node = buildInstruction(t.logical, t.lexer, tokenEnd(t));
  if (t.comments !== undefined) node.comments = t.comments;
  return node;
}

/** A copy of the node with the heredoc of token t added (on ONBUILD also to its child, the RUN/COPY/ADD it wraps). */
export function withHeredoc(node: InstructionNode, t: LineToken): InstructionNode {
  const marker = t.heredoc;
  if (marker === undefined) throw new Error("heredoc token without its marker");
  const heredoc: Heredoc = {
    name: marker.name,
    content: t.content ?? "",
    expand: marker.expand,
    chomp: marker.chomp,
  };
  if (marker.fileDescriptor !== undefined) heredoc.fileDescriptor = marker.fileDescriptor;
  const heredocs = [...node.heredocs, heredoc];
  const out: InstructionNode = { ...node, heredocs, span: { start: node.span.start, end: tokenEnd(t) } };
  if (node.child !== undefined) out.child = { ...node.child, heredocs };
  return out;
}
