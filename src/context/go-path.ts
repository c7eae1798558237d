/**
 * Go's path.Clean for slash-separated paths: the lexical normal form Docker applies to
 * .dockerignore patterns and COPY sources. Unlike node's path.posix.normalize it drops trailing
 * slashes, returns "." for an empty result, and never lets ".." climb above a leading "/".
 */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const body = out.join("/");
  if (rooted) return "/" + body;
  return body === "" ? "." : body;
}

/**
 * Orders names as Go's filepath.Walk does (by UTF-8 bytes). Comparing code points gives the same
 * order; plain `<` compares UTF-16 units, which differs for characters outside the BMP.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const cx = a.codePointAt(i) ?? x;
    const cy = b.codePointAt(i) ?? y;
    return cx < cy ? -1 : cx > cy ? 1 : 0;
  }
  return a.length - b.length;
}

/** Go's unicode.IsSpace set: unlike JS's trim it keeps U+FEFF, U+2028, U+2029 and drops U+0085. */
const GO_SPACE = "[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000]";
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, "gu");

/** Go's strings.TrimSpace. */
export function trimSpace(s: string): string {
  return s.replace(GO_TRIM, "");
}
