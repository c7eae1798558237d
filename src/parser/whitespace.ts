/**
 * Go's notion of white space, which BuildKit's parser uses (unicode.IsSpace, strings.TrimSpace,
 * and the `[\t\v\f\r ]+` splitter). JavaScript's `\s` differs (it includes U+FEFF and lacks U+0085),
 * so these helpers spell the set out.
 */

/** unicode.IsSpace for one UTF-16 code unit (no white space lies outside the BMP). */
export function isGoSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** The regex class matching isGoSpace, for building regular expressions. */
export const GO_SPACE_CLASS =
  "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/** Index of the first non-space code unit of s[from, to), or `to`. */
export function skipGoSpace(s: string, from = 0, to = s.length): number {
  let i = from;
  while (i < to && isGoSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Index just after the last non-space code unit of s[from, to), or `from`. */
export function trimEndGoSpace(s: string, from = 0, to = s.length): number {
  let j = to;
  while (j > from && isGoSpace(s.charCodeAt(j - 1))) j--;
  return j;
}

/** strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  const a = skipGoSpace(s);
  return s.slice(a, trimEndGoSpace(s, a));
}

/** BuildKit's reWhitespace `[\t\v\f\r ]`: the separator of keywords and whitespace-split arguments. */
export function isSplitSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d;
}
