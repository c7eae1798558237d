import type { TextSink } from "./sink";

/**
 * Whether output to `out` may carry ANSI colors: only on a terminal, and never when NO_COLOR is
 * set to a non-empty value (no-color.org), as buildx's progress display decides.
 */
export function colorEnabled(out: TextSink, env: NodeJS.ProcessEnv = process.env): boolean {
  if (out.isTTY !== true) return false;
  return env.NO_COLOR === undefined || env.NO_COLOR === "";
}
