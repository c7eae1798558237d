import { DockerfileError } from "./errors";

/**
 * Dockerfile bytes → text. Invalid UTF-8 is rejected with the line and column of the first bad
 * byte (BuildKit would pass such bytes through, but every later stage works on strings); a
 * leading byte-order mark is dropped.
 */
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function decodeDockerfile(bytes: Uint8Array, file: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    const before = new TextDecoder("utf-8").decode(bytes.subarray(0, bad));
    const lineStart = before.lastIndexOf("\n") + 1;
    const line = before.split("\n").length;
    const column = before.length - lineStart + 1;
    const at = { line, column };
    throw new DockerfileError(
      `decode Dockerfile: invalid UTF-8 byte 0x${bytes[bad].toString(16).padStart(2, "0")}`,
      file,
      { start: at, end: at },
      before.slice(lineStart),
      "DOCKERFILE_ENCODING",
    );
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}
