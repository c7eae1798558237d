import type { Directive } from "./ast";
import { skipGoSpace } from "./whitespace";

/**
 * Parser directives (`# syntax=...`, `# escape=...`, `# check=...`): only the run of such lines at
 * the very top of the file counts. BuildKit matches `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
 * (Go's `\s` is `[\t\n\f\r ]`) on the left-trimmed line.
 */

const DIRECTIVE_HEAD = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=([\t\n\f\r ]*)/;
const VALID = new Set(["syntax", "escape", "check"]);

/** A directive line as matched, before validation; columns are 1-based in the physical line. */
export interface DirectiveMatch {
  name: Directive["name"];
  value: string;
  nameColumn: number;
  valueColumn: number;
}

function isDirectiveSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/**
 * Matches one physical line (without its line ending) as a directive. Returns undefined for
 * anything that ends the directive run: not a `#name=value` line, or an unknown name.
 * The value is found without a lazy regex so a huge first line stays linear.
 */
export function matchDirective(content: string): DirectiveMatch | undefined {
  const lead = skipGoSpace(content);
  if (content.charCodeAt(lead) !== 0x23 /* # */) return undefined;
  const text = content.slice(lead);
  const m = DIRECTIVE_HEAD.exec(text);
  if (m === null) return undefined;
  const name = m[1].toLowerCase();
  if (!VALID.has(name)) return undefined;
  let valueStart = m[0].length;
  let valueEnd = text.length;
  while (valueEnd > valueStart && isDirectiveSpace(text.charCodeAt(valueEnd - 1))) valueEnd--;
  if (valueEnd === valueStart) {
    // `(.+?)` needs one character: the greedy `\s*` before it gives back its last space.
    if (m[2].length === 0) return undefined;
    valueStart -= 1;
    valueEnd = valueStart + 1;
  }
  return {
    // VALID holds exactly the names of Directive["name"].
    name: name as Directive["name"],
    value: text.slice(valueStart, valueEnd),
    nameColumn: lead + 1 + m[0].indexOf(m[1], 1),
    valueColumn: lead + 1 + valueStart,
  };
}

/** The escape directive accepts only a backslash or a backtick. */
export function isValidEscape(value: string): boolean {
  return value === "\\" || value === "`";
}
