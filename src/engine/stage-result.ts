import type { HistoryEntry, ImageConfig } from "../image/config";
import type { BlobLayer } from "../image/blob-layer";
import type { StepMiss } from "./miss-explain";

/** What running one stage produced: its layers (base first), history and final config. */
export interface StageResult {
  index: number;
  layers: BlobLayer[];
  history: HistoryEntry[];
  config: ImageConfig;
}

/** What happened to one step, for the build result and the summary. */
export interface StepOutcome {
  id: string;
  stage: number;
  display: string;
  /** The key the step's record is under. */
  cacheKey: string;
  /** COPY --from=stage: the record key of what it copied, by content (EffectiveKeys). */
  contentKey?: string;
  cached: boolean;
  durationMs: number;
  /** Digest of the layer the step produced; undefined for no change. */
  layer?: { digest: string; diffId: string; size: number };
  /** Why a step that ran did not hit the cache. */
  miss?: StepMiss;
}
