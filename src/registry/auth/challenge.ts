/** One `WWW-Authenticate` challenge: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
export interface AuthChallenge {
  /** Lower-cased scheme: "bearer", "basic", ... */
  scheme: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

/**
 * Parses a WWW-Authenticate header (RFC 7235 syntax) into its challenges. Tolerant of the
 * variations registries send (unquoted values, spaces around commas); unknown input yields
 * whatever challenges could be read, never an exception.
 */
export function parseWwwAuthenticate(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(", ") : header;
  const out: AuthChallenge[] = [];
  let i = 0;
  const n = text.length;
  const skipSpace = (): void => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === ",")) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && !/[\s,=]/.test(text[i])) i++;
    return text.slice(start, i);
  };
  const readQuoted = (): string => {
    let value = "";
    i++; // opening quote
    while (i < n && text[i] !== '"') {
      if (text[i] === "\\" && i + 1 < n) i++;
      value += text[i];
      i++;
    }
    i++; // closing quote
    return value;
  };
  let current: AuthChallenge | undefined;
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    const token = readToken();
    if (token === "") {
      i++;
      continue;
    }
    let j = i;
    while (j < n && (text[j] === " " || text[j] === "\t")) j++;
    if (text[j] === "=" && current) {
      i = j + 1;
      while (i < n && (text[i] === " " || text[i] === "\t")) i++;
      const value = text[i] === '"' ? readQuoted() : readToken();
      current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}
