import type { Position } from "./ast";

/**
 * Line continuation: BuildKit joins the physical lines of one instruction after removing the
 * escape character that ends each of them (`([^E])E[ \t]*$` or `^E[ \t]*$` → `$1`).
 * A logical line remembers where each joined piece came from, so any offset in the joined text
 * maps back to a physical line and column.
 */

/** One physical line's contribution to a logical line. */
export interface Piece {
  /** Offset of the piece in the joined text. */
  offset: number;
  line: number;
  /** 1-based column of the piece's first character in its physical line. */
  column: number;
}

export interface LogicalLine {
  /** The joined text (the first piece left-trimmed, as BuildKit does). */
  text: string;
  pieces: Piece[];
}

/**
 * The text a continuation line contributes: everything before the final escape character.
 * The caller has already established (by the lexer rule) that the line ends in a continuation.
 */
export function stripContinuation(content: string): string {
  let end = content.length;
  while (end > 0) {
    const c = content.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09) break;
    end--;
  }
  return content.slice(0, end - 1);
}

/** The physical position of an offset in the joined text (offsets past the end clamp to the end). */
export function positionAt(logical: LogicalLine, offset: number): Position {
  const pieces = logical.pieces;
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pieces[mid].offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const piece = pieces[lo];
  return { line: piece.line, column: piece.column + Math.max(0, offset - piece.offset) };
}
