/** Where progress is written: process.stderr, or a fake terminal in tests. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** Renders build events as they arrive; `close()` once when the build ends, however it ends. */
export interface ProgressRenderer {
  onEvent(event: import("../../engine/progress").BuildEvent): void;
  close(): void;
}
