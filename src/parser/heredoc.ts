import type { Located } from "./args/located";

/**
 * Heredoc markers (`<<EOF`, `<<-EOF`, `3<<"EOF"`) in a RUN/COPY/ADD line, found the way BuildKit's
 * heredocsFromLine does: split the line into shell words keeping quotes and escapes raw (a `<<`
 * swallows the blanks after it), then match each word against `^(\d*)<<(-?)\s*([^<]*)$`. The
 * terminator word is unquoted; quoting any part of it disables expansion of the body.
 */
export interface HeredocMarker {
  name: string;
  expand: boolean;
  chomp: boolean;
  fileDescriptor?: number;
  /** Offsets of the marker word in the logical line. */
  start: number;
  end: number;
}

const MARKER = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

function isShellBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Raw shell words of a line; undefined when a quote is left open (BuildKit then finds no heredoc). */
function rawWords(text: string): Located[] | undefined {
  const out: Located[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isShellBlank(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isShellBlank(text.charCodeAt(i))) {
      const c = text.charCodeAt(i);
      if (c === 0x27 || c === 0x22) {
        const close = c;
        i++;
        while (i < n && text.charCodeAt(i) !== close)
          i += close === 0x22 && text.charCodeAt(i) === 0x5c ? 2 : 1;
        if (i >= n) return undefined;
        i++;
      } else if (c === 0x5c) {
        i += 2;
      } else if (c === 0x3c && text.charCodeAt(i + 1) === 0x3c) {
        i += 2;
        while (i < n && isShellBlank(text.charCodeAt(i))) i++;
      } else {
        i++;
      }
    }
    i = Math.min(i, n);
    out.push({ value: text.slice(start, i), start, end: i });
  }
  return out;
}

/** Removes shell quoting from a terminator word; undefined unless it is exactly one word. */
function unquoteWord(raw: string): { word: string; quoted: boolean } | undefined {
  let word = "";
  let quoted = false;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "'" || c === '"') {
      const close = raw.indexOf(c, i + 1);
      if (close < 0) return undefined;
      let body = raw.slice(i + 1, close);
      if (c === '"') body = body.replace(/\\([\\"$])/g, "$1");
      word += body;
      quoted = true;
      inWord = true;
      i = close;
    } else if (c === "\\") {
      if (i + 1 < raw.length) word += raw[++i];
      inWord = true;
    } else if (isShellBlank(c.charCodeAt(0))) {
      if (inWord && word.length > 0) words++;
      if (words > 0) return undefined;
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (word.length === 0) return undefined;
  return { word, quoted };
}

/** The heredoc markers of a logical line, in order. */
export function heredocMarkers(text: string): HeredocMarker[] {
  const words = rawWords(text);
  if (words === undefined) return [];
  const out: HeredocMarker[] = [];
  for (const w of words) {
    const m = MARKER.exec(w.value);
    if (m === null || m[3].length === 0) continue;
    const name = unquoteWord(m[3]);
    if (name === undefined) continue;
    const marker: HeredocMarker = {
      name: name.word,
      expand: !name.quoted,
      chomp: m[2] === "-",
      start: w.start,
      end: w.end,
    };
    if (m[1].length > 0) marker.fileDescriptor = Number(m[1]);
    out.push(marker);
  }
  return out;
}

/** The terminator test: the line (without its line ending) equals the name, after leading tabs for `<<-`. */
export function isTerminator(content: string, marker: HeredocMarker): boolean {
  if (!marker.chomp) return content === marker.name;
  let i = 0;
  while (content.charCodeAt(i) === 0x09) i++;
  return content.length - i === marker.name.length && content.endsWith(marker.name);
}
