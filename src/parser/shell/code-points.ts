/** Read-only, index-addressable sequence of Unicode code points. */
export interface CodePointText {
  readonly length: number;
  /** The code point at index `i` (0 <= i < length). */
  at(i: number): number;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A string seen as code points, as Go sees a string's runes: `?` in a pattern matches one code
 * point, and suffix matching reverses code points, never UTF-16 halves of one.
 */
export class CodePointString implements CodePointText {
  readonly length: number;
  private readonly points: ArrayLike<number> | undefined;
  /** UTF-16 offset of each code point (plus the end); absent when the text has no surrogates. */
  private readonly offsets: Uint32Array | undefined;

  constructor(readonly text: string) {
    if (!SURROGATE.test(text)) {
      this.length = text.length;
      return;
    }
    const points: number[] = [];
    const offsets: number[] = [];
    for (let i = 0; i < text.length;) {
      const cp = text.codePointAt(i) ?? 0; // i < length: always defined
      points.push(cp);
      offsets.push(i);
      i += cp > 0xffff ? 2 : 1;
    }
    offsets.push(text.length);
    this.points = points;
    this.offsets = Uint32Array.from(offsets);
    this.length = points.length;
  }

  at(i: number): number {
    return this.points === undefined ? this.text.charCodeAt(i) : this.points[i];
  }

  /** The substring between code-point indexes `start` and `end`. */
  slice(start: number, end = this.length): string {
    if (this.offsets === undefined) return this.text.slice(start, end);
    return this.text.slice(this.offsets[start], this.offsets[end]);
  }
}

/** The same code points in reverse order, without copying them. */
export class ReversedText implements CodePointText {
  readonly length: number;
  constructor(private readonly inner: CodePointText) {
    this.length = inner.length;
  }
  at(i: number): number {
    return this.inner.at(this.length - 1 - i);
  }
}
