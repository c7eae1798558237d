import { PlainRenderer } from "./plain";
import { RawJsonRenderer } from "./rawjson";
import type { ProgressRenderer, TextSink } from "./sink";
import { TtyRenderer } from "./tty";
import { colorEnabled } from "./color";

export type { ProgressRenderer, TextSink } from "./sink";
export { PlainRenderer } from "./plain";
export { RawJsonRenderer } from "./rawjson";
export { TtyRenderer, type TtyRendererOptions } from "./tty";
export { formatSummary, formatWarnings } from "./summary";
export { colorEnabled } from "./color";

export const PROGRESS_MODES = ["auto", "tty", "plain", "rawjson", "quiet"] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** The renderer for `--progress`: `auto` is the live view on a terminal, plain text elsewhere. */
export function createRenderer(mode: ProgressMode, out: TextSink): ProgressRenderer {
  const resolved = mode === "auto" ? (out.isTTY === true ? "tty" : "plain") : mode;
  switch (resolved) {
    case "tty":
      return new TtyRenderer(out, { color: colorEnabled(out) });
    case "plain":
      return new PlainRenderer(out);
    case "rawjson":
      return new RawJsonRenderer(out);
    case "quiet":
      return { onEvent: () => undefined, close: () => undefined };
  }
}

/** Whether the mode prints the human summary and warnings at the end. */
export function isHuman(mode: ProgressMode): boolean {
  return mode !== "rawjson" && mode !== "quiet";
}
