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
  /** Progress of one transfer inside a step (a layer being pulled): BuildKit's VertexStatus. */
  | ({ type: "step-status"; id: string; vertex: number } & TransferStatus)
  | { type: "export-start"; what: string }
  /** Progress inside an export: layers compressed, blobs pushed, manifests written. */
  | ({ type: "export-status"; what: string } & TransferStatus)
  | { type: "export-done"; what: string; durationMs: number }
  | { type: "done"; digest: string; durationMs: number; cached: number; total: number };

export type BuildEventListener = (event: BuildEvent) => void;

/**
 * One status row under a step or export, as BuildKit's client.VertexStatus: `status` is its name
 * (a blob digest, "pushing layers", "resolve REF@sha256:…"); bytes when it moves bytes.
 */
export interface TransferStatus {
  status: string;
  /** Bytes done so far. */
  current?: number;
  /** Bytes in all, when known. */
  total?: number;
  /** The last event of this status. */
  done: boolean;
}

/** The title a renderer shows for a step: its label and display (internal steps have no label). */
export function stepTitle(label: string, display: string): string {
  return label === "" ? display : `${label} ${display}`;
}
