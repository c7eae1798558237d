import { createHash } from "node:crypto";
import { stepTitle, type BuildEvent, type TransferStatus } from "../../engine/progress";
import type { ProgressRenderer, TextSink } from "./sink";

/** BuildKit's client.Vertex as JSON (zero fields omitted, as Go's omitempty does). */
interface Vertex {
  digest: string;
  inputs?: string[];
  name: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

/** BuildKit's client.VertexStatus: one transfer of a vertex (a layer pulled, blobs pushed). */
export interface VertexStatus {
  id: string;
  vertex?: string;
  name?: string;
  total?: number;
  current: number;
  timestamp: string;
  started?: string;
  completed?: string;
}

/** One client.SolveStatus: what `buildx build --progress=rawjson` writes, one per line. */
export interface SolveStatus {
  vertexes: Vertex[] | null;
  statuses: VertexStatus[] | null;
  logs: { vertex: string; stream: number; data: string; timestamp: string }[] | null;
  warnings:
    | { vertex?: string; level: number; short: string; detail?: string[]; url?: string; range?: unknown[] }[]
    | null;
}

/**
 * `--progress=rawjson`: BuildKit's SolveStatus stream, one compact JSON object per line, so a tool
 * that reads buildx's rawjson (a json.Decoder loop) reads tsbuild's. A vertex is sent again
 * whenever it changes (started, cached, completed, error), as BuildKit does; log data is base64.
 * Vertex digests are the sha256 of tsbuild's step id (there is no LLB op to digest).
 */
export class RawJsonRenderer implements ProgressRenderer {
  private readonly vertexes = new Map<string, Vertex>();
  private readonly exports = new Map<string, string>();
  /** When each (vertex, status) was first seen: its `started`. */
  private readonly statusStarts = new Map<string, string>();

  constructor(
    private readonly out: TextSink,
    private readonly now: () => number = Date.now,
  ) {}

  onEvent(event: BuildEvent): void {
    const at = new Date(this.now()).toISOString();
    switch (event.type) {
      case "step-start": {
        const v: Vertex = {
          digest: vertexDigest(event.id),
          name: stepTitle(event.label, event.display),
          started: at,
        };
        this.vertexes.set(event.id, v);
        this.send({ vertexes: [v] });
        break;
      }
      case "step-cached":
        this.update(event.id, { cached: true, completed: at });
        break;
      case "step-done":
        this.update(event.id, { completed: at });
        break;
      case "step-error":
        this.update(event.id, { completed: at, error: event.message });
        break;
      case "step-log":
      case "step-miss": {
        const v = this.vertexes.get(event.id);
        if (v === undefined) break;
        // A miss is the vertex's first log line, as a user reading buildx's logs would look for it.
        const text = event.type === "step-log" ? event.text : `CACHE MISS: ${event.message}\n`;
        const stream = event.type === "step-log" && event.stream === "stdout" ? 1 : 2;
        const data = Buffer.from(text).toString("base64");
        this.send({
          logs: [{ vertex: v.digest, stream, data, timestamp: at }],
        });
        break;
      }
      case "export-start": {
        const id = `export:${event.what}`;
        this.exports.set(event.what, id);
        const v: Vertex = { digest: vertexDigest(id), name: `exporting to ${event.what}`, started: at };
        this.vertexes.set(id, v);
        this.send({ vertexes: [v] });
        break;
      }
      case "export-done": {
        const id = this.exports.get(event.what);
        if (id !== undefined) this.update(id, { completed: at });
        break;
      }
      case "step-status":
        this.status(event.id, event, at);
        break;
      case "export-status": {
        const id = this.exports.get(event.what);
        if (id !== undefined) this.status(id, event, at);
        break;
      }
      case "warning": {
        const short = `${event.rule}: ${event.message}${event.line !== undefined ? ` (line ${event.line})` : ""}`;
        this.send({
          warnings: [
            {
              level: 1,
              short: Buffer.from(short).toString("base64"),
              ...(event.url !== undefined ? { url: event.url } : {}),
              ...(event.line !== undefined
                ? { range: [{ start: { line: event.line }, end: { line: event.line } }] }
                : {}),
            },
          ],
        });
        break;
      }
      default:
        break; // plan and done have no SolveStatus counterpart
    }
  }

  close(): void {}

  private status(id: string, s: TransferStatus, at: string): void {
    const v = this.vertexes.get(id);
    if (v === undefined) return;
    const key = `${v.digest} ${s.status}`;
    const started = this.statusStarts.get(key) ?? at;
    this.statusStarts.set(key, started);
    const status: VertexStatus = {
      id: s.status,
      vertex: v.digest,
      ...(s.total !== undefined && s.total !== 0 ? { total: s.total } : {}),
      current: s.current ?? 0,
      timestamp: at,
      started,
      ...(s.done ? { completed: at } : {}),
    };
    this.send({ statuses: [status] });
  }

  private update(id: string, change: Partial<Vertex>): void {
    const v = this.vertexes.get(id);
    if (v === undefined) return;
    Object.assign(v, change);
    this.send({ vertexes: [{ ...v }] });
  }

  private send(status: Partial<SolveStatus>): void {
    const full: SolveStatus = {
      vertexes: status.vertexes ?? null,
      statuses: status.statuses ?? null,
      logs: status.logs ?? null,
      warnings: status.warnings ?? null,
    };
    this.out.write(JSON.stringify(full) + "\n");
  }
}

function vertexDigest(id: string): string {
  return `sha256:${createHash("sha256").update(id).digest("hex")}`;
}
