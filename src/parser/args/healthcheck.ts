import { isGoSpace } from "../whitespace";

/**
 * BuildKit's parseHealthConfig splits the rest into its first word (CMD, NONE, ...; not validated
 * here) and the remainder, which is then parsed like CMD. Returns the offsets of both parts.
 */
export function splitHealthcheck(
  text: string,
  from: number,
  to: number,
): { typeEnd: number; cmdStart: number } {
  let sep = from;
  while (sep < to && !isGoSpace(text.charCodeAt(sep))) sep++;
  let next = sep;
  while (next < to && isGoSpace(text.charCodeAt(next))) next++;
  return { typeEnd: sep, cmdStart: next };
}
