/**
 * Go's unicode.IsSpace: the Unicode White_Space property. Every such character is in the BMP,
 * so a UTF-16 code unit is enough to tell.
 */
export function isSpaceCode(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
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

/**
 * Collects the words of ProcessWords: unquoted text (literal or from an unquoted `$var`) splits
 * on whitespace; quoted text and escaped characters never split; empty words are dropped.
 */
export class WordSplitter {
  private readonly words: string[] = [];
  private current = "";

  /** Adds text that splits on whitespace. */
  addSplitting(text: string): void {
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      if (!isSpaceCode(text.charCodeAt(i))) continue;
      this.current += text.slice(from, i);
      this.flush();
      from = i + 1;
    }
    this.current += from === 0 ? text : text.slice(from);
  }

  /** Adds text that stays in the current word, whitespace included. */
  addVerbatim(text: string): void {
    this.current += text;
  }

  /** The words so far, the current one included. */
  finish(): string[] {
    this.flush();
    return this.words;
  }

  private flush(): void {
    if (this.current !== "") this.words.push(this.current);
    this.current = "";
  }
}
