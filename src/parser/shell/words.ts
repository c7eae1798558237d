/** Go's unicode.IsSpace is exactly the Unicode White_Space property. */
const SPACE_RUN = /\p{White_Space}+/u;

/**
 * Collects the words of ProcessWords: unquoted text (literal or from an unquoted `$var`) splits
 * on whitespace; quoted text and escaped characters never split; empty words are dropped.
 */
export class WordSplitter {
  private readonly words: string[] = [];
  private current = "";

  /** Adds text that splits on whitespace. */
  addSplitting(text: string): void {
    if (text === "") return;
    const parts = text.split(SPACE_RUN);
    this.current += parts[0];
    for (let i = 1; i < parts.length; i++) {
      this.flush();
      this.current = parts[i];
    }
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
