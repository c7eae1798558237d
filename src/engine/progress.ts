import type { InputChange, MissReason } from "./miss-explain";

/**
 * Typed progress events of a build, in the order they happen. The CLI renders them (tty, plain,
 * rawjson); API callers receive them through `onEvent`.
 */
export type BuildEvent =
  | { type: "plan"; stages: number; steps: number }
  | {
      type: "warning";
      rule: string;
      message: string;
      file?: string;
      line?: number;
      column?: number;
      /** The rule's documentation page. */
      url?: string;
    }
  | { type: "step-start"; id: string; vertex: number; label: string; display: string }
  | { type: "step-cached"; id: string; vertex: number }
  /** A step missed the cache and is about to run: why (see miss-explain.ts). */
  | {
      type: "step-miss";
      id: string;
      vertex: number;
      reason: MissReason;
      message: string;
      inputs: InputChange[];
    }
  | { type: "step-log"; id: string; vertex: number; stream: "stdout" | "stderr"; text: string }
  | { type: "step-done"; id: string; vertex: number; durationMs: number; layerSize?: number }
  | { type: "step-error"; id: string; vertex: number; message: string }
  | { type: "export-start"; what: string }
  | { type: "export-done"; what: string; durationMs: number }
  | { type: "done"; digest: string; durationMs: number; cached: number; total: number };

export type BuildEventListener = (event: BuildEvent) => void;
