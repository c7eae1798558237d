import type { CopySpec, CopySpecSource } from "../copy";
import type { CopyStep } from "../planner/plan";

/**
 * The copy module's input for a planned COPY/ADD step: only what the copy needs (no cache keys,
 * spans or stage state), so src/copy depends on no planner type.
 */
export function copySpecOf(step: CopyStep): CopySpec {
  return {
    display: step.display,
    instruction: step.instruction,
    source: copySource(step.source),
    sources: step.sources,
    dest: step.dest,
    chown: step.chown,
    chmod: step.chmod,
    parents: step.parents,
    exclude: step.exclude,
    checksum: step.checksum,
    unpack: step.unpack,
  };
}

function copySource(source: CopyStep["source"]): CopySpecSource {
  switch (source.kind) {
    case "context":
      return { kind: "context" };
    case "stage":
      return { kind: "stage", stage: source.stage };
    case "image":
      return { kind: "image", ref: source.ref };
    case "heredoc":
      return { kind: "heredoc", files: source.files };
    case "url":
      return { kind: "url" };
  }
}
