import type { Heredoc, InstructionNode } from "./ast";
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

function lineEnd(t: LineToken): { line: number; column: number } {
  const content = t.lexer.lines[t.line - 1] ?? "";
  return { line: t.line, column: Math.max(1, content.length) };
}

/** The instruction a `line` or `end` token completes. */
export function instruction(t: LineToken): InstructionNode {
  if (t.logical === undefined) throw new Error("line token without a logical line");
  return buildInstruction(t.logical, t.lexer, lineEnd(t));
}

export interface ParsedHeredoc {
  heredoc: Heredoc;
  end: { line: number; column: number };
}

export function finishHeredoc(body: List<LineToken>, t: LineToken): ParsedHeredoc {
  const marker = t.heredoc;
  if (marker === undefined) throw new Error("heredocEnd token without its marker");
  const heredoc: Heredoc = {
    name: marker.name,
    content: listToArray(body)
      .map((b) => b.value)
      .join(""),
    expand: marker.expand,
    chomp: marker.chomp,
  };
  if (marker.fileDescriptor !== undefined) heredoc.fileDescriptor = marker.fileDescriptor;
  return { heredoc, end: lineEnd(t) };
}

/** A copy of the node with one more heredoc (also on ONBUILD's child, which is what it belongs to). */
export function withHeredoc(node: InstructionNode, h: ParsedHeredoc): InstructionNode {
  const heredocs = [...node.heredocs, h.heredoc];
  const out: InstructionNode = { ...node, heredocs, span: { start: node.span.start, end: h.end } };
  if (node.child !== undefined) out.child = { ...node.child, heredocs };
  return out;
}
