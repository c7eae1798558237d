/**
 * JSON as Go's encoding/json.MarshalIndent writes it: two-space indent, and `<`, `>`, `&`,
 * U+2028 and U+2029 escaped, so output compares byte for byte with buildx's.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** A BuildKit pb.Location for lines `start..end` of source 0 (zero fields are omitted, as Go does). */
export function location(
  start: number,
  end: number,
): { ranges: { start: { line: number }; end: { line: number } }[] } {
  return { ranges: [{ start: { line: start }, end: { line: end } }] };
}
