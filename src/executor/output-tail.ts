/**
 * The last lines of a process's output, kept in a bounded ring so a chatty RUN never grows
 * memory: at most `maxLines` lines of at most `maxLineLength` characters each.
 */
export class OutputTail {
  private readonly ring: string[] = [];
  private partial = "";

  constructor(
    private readonly maxLines = 20,
    private readonly maxLineLength = 1024,
  ) {}

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString("utf8");
    const parts = text.split("\n");
    this.partial = this.clip(parts.pop() ?? "");
    for (const line of parts) this.add(line);
  }

  /** Completed lines plus the unterminated last one, oldest first. */
  lines(): string[] {
    const out = [...this.ring];
    if (this.partial !== "") {
      out.push(this.partial);
      if (out.length > this.maxLines) out.shift();
    }
    return out;
  }

  private add(line: string): void {
    this.ring.push(this.clip(line.replace(/\r$/, "")));
    if (this.ring.length > this.maxLines) this.ring.shift();
  }

  private clip(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
