import type { OciManifest } from "../image/manifest";
import type { BlobProgress } from "../registry/blob-fetch";
import { formatReference, tryParseReference } from "../registry/reference";
import type { BuildEventListener } from "./progress";

/** Vertex numbers shared by every row of one build (steps, base images). */
export interface VertexCounter {
  next: number;
}

/** Where base-image rows go; multi-platform builds name the platform (`[linux/arm64 internal]`). */
export interface BaseImageProgress {
  emit: BuildEventListener;
  vertex: VertexCounter;
  showPlatform?: boolean;
}

/**
 * The rows buildx shows for a base image: `[internal] load metadata for REF` while its manifest is
 * resolved, then `FROM REF@sha256:…` (the digest used) with a `resolve` status and one status per
 * layer blob (bytes so far / size, done); CACHED when no layer had to be downloaded.
 */
export class BaseImageRows {
  private readonly name: string;
  private readonly metadataId: string;
  private readonly platform: string;
  private metadataVertex = 0;
  private fromVertex = 0;
  private fromId = "";
  private started = 0;
  private fromStarted = 0;
  private config = "";
  private downloaded = false;

  constructor(
    private readonly progress: BaseImageProgress,
    ref: string,
    platform: string,
  ) {
    const parsed = tryParseReference(ref);
    this.name = parsed !== undefined ? formatReference(parsed) : ref;
    this.metadataId = `metadata ${this.name} ${platform}`;
    this.platform = platform;
  }

  start(): void {
    this.metadataVertex = ++this.progress.vertex.next;
    this.started = Date.now();
    this.progress.emit({
      type: "step-start",
      id: this.metadataId,
      vertex: this.metadataVertex,
      label: this.progress.showPlatform === true ? `[${this.platform} internal]` : "[internal]",
      display: `load metadata for ${this.name}`,
    });
  }

  /** The manifest is known: the metadata row ends, the FROM row (digest pinned) starts. */
  resolved(digest: string, manifest: OciManifest): void {
    const at = Date.now();
    this.progress.emit({
      type: "step-done",
      id: this.metadataId,
      vertex: this.metadataVertex,
      durationMs: at - this.started,
    });
    this.config = manifest.config.digest;
    const pinned = `${this.name.replace(/@sha256:[a-f0-9]{64}$/, "")}@${digest}`;
    this.fromId = `from ${pinned} ${this.metadataId}`;
    this.fromVertex = ++this.progress.vertex.next;
    this.fromStarted = at;
    const emit = this.progress.emit;
    emit({
      type: "step-start",
      id: this.fromId,
      vertex: this.fromVertex,
      label: "",
      display: `FROM ${pinned}`,
    });
    emit({
      type: "step-status",
      id: this.fromId,
      vertex: this.fromVertex,
      status: `resolve ${pinned}`,
      done: true,
    });
  }

  /** A blob of the pull: layers get a status row; the config belongs to the metadata. */
  blob(p: BlobProgress): void {
    if (this.fromVertex === 0 || p.digest === this.config || p.status === "exists") return;
    this.downloaded = true;
    this.progress.emit({
      type: "step-status",
      id: this.fromId,
      vertex: this.fromVertex,
      status: p.digest,
      current: p.current,
      total: p.total,
      done: p.status === "done",
    });
  }

  end(): void {
    if (this.fromVertex === 0) return;
    if (!this.downloaded) {
      this.progress.emit({ type: "step-cached", id: this.fromId, vertex: this.fromVertex });
      return;
    }
    this.progress.emit({
      type: "step-done",
      id: this.fromId,
      vertex: this.fromVertex,
      durationMs: Date.now() - this.fromStarted,
    });
  }

  fail(message: string): void {
    const [id, vertex] =
      this.fromVertex !== 0 ? [this.fromId, this.fromVertex] : [this.metadataId, this.metadataVertex];
    if (vertex !== 0) this.progress.emit({ type: "step-error", id, vertex, message });
  }
}
