import { isGoSpace } from "../whitespace";
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
      if (!isGoSpace(text.charCodeAt(i))) continue;
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
