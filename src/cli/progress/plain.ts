import { stepTitle, type BuildEvent, type TransferStatus } from "../../engine/progress";
import { seconds } from "../human-time";
import type { ProgressRenderer, TextSink } from "./sink";
import { plainStatus } from "./status-text";

/** A running transfer's line is repeated at most this often (its first and done lines always print). */
const STATUS_EVERY_MS = 1000;

interface Vertex {
  header: string;
  startedAt: number;
  /** A log chunk's unfinished last line, printed when the rest arrives or the step ends. */
  partial: string;
  /** Status rows by name: when each started and was last printed. */
  statuses: Map<string, { startedAt: number; printedAt: number }>;
}

/**
 * BuildKit's `--progress=plain` for CI logs: one `#N` block per step, re-announced with its
 * header whenever output switches to another step, so interleaved concurrent steps stay readable:
 *
 *   #1 [site 1/6] COPY site/ /srv/www/
 *   #1 CACHED
 *
 *   #2 [build 2/4] RUN make
 *   #2 0.512 cc -o app main.c
 *   #2 DONE 1.3s
 *
 * Transfers are status lines of their step or export, as BuildKit prints them:
 *
 *   #3 FROM 127.0.0.1:5000/base:1@sha256:…
 *   #3 resolve 127.0.0.1:5000/base:1@sha256:… done
 *   #3 sha256:… 1.05MB / 3.40MB 0.2s
 *   #3 sha256:… 3.40MB / 3.40MB 0.4s done
 */
export class PlainRenderer implements ProgressRenderer {
  private readonly vertices = new Map<number, Vertex>();
  private readonly exports = new Map<string, number>();
  private current: number | undefined;
  private maxVertex = 0;
  private printed = false;

  constructor(
    private readonly out: TextSink,
    private readonly now: () => number = Date.now,
  ) {}

  onEvent(event: BuildEvent): void {
    switch (event.type) {
      case "step-start":
        this.start(event.vertex, stepTitle(event.label, event.display));
        break;
      case "step-cached":
        this.line(event.vertex, "CACHED");
        break;
      case "step-miss":
        this.line(event.vertex, `CACHE MISS: ${event.message}`);
        break;
      case "step-log":
        this.log(event.vertex, event.text);
        break;
      case "step-done":
        this.flushPartial(event.vertex);
        this.line(event.vertex, `DONE ${seconds(event.durationMs)}`);
        break;
      case "step-error":
        this.flushPartial(event.vertex);
        this.line(event.vertex, `ERROR: ${event.message}`);
        break;
      case "export-start": {
        const vertex = this.maxVertex + 1;
        this.exports.set(event.what, vertex);
        this.start(vertex, `exporting to ${event.what}`);
        break;
      }
      case "step-status":
        this.status(event.vertex, event);
        break;
      case "export-status": {
        const vertex = this.exports.get(event.what);
        if (vertex !== undefined) this.status(vertex, event);
        break;
      }
      case "export-done": {
        const vertex = this.exports.get(event.what);
        if (vertex !== undefined) this.line(vertex, `DONE ${seconds(event.durationMs)}`);
        break;
      }
      default:
        break; // plan, warning and done are reported by the command (warnings and summary).
    }
  }

  close(): void {
    for (const vertex of this.vertices.keys()) this.flushPartial(vertex);
    if (this.printed) this.out.write("\n");
  }

  private start(vertex: number, header: string): void {
    this.maxVertex = Math.max(this.maxVertex, vertex);
    this.vertices.set(vertex, { header, startedAt: this.now(), partial: "", statuses: new Map() });
    this.switchTo(vertex);
  }

  private switchTo(vertex: number): void {
    if (this.current === vertex) return;
    const v = this.vertices.get(vertex);
    if (this.printed) this.out.write("\n");
    this.out.write(`#${vertex} ${v?.header ?? ""}\n`);
    this.current = vertex;
    this.printed = true;
  }

  private line(vertex: number, text: string): void {
    this.switchTo(vertex);
    this.out.write(`#${vertex} ${text}\n`);
  }

  private status(vertex: number, s: TransferStatus): void {
    const v = this.vertices.get(vertex);
    if (!v) return;
    const at = this.now();
    let row = v.statuses.get(s.status);
    if (row === undefined) {
      row = { startedAt: at, printedAt: at };
      v.statuses.set(s.status, row);
    } else if (!s.done && at - row.printedAt < STATUS_EVERY_MS) return;
    row.printedAt = at;
    this.line(vertex, plainStatus(s, at - row.startedAt));
  }

  private log(vertex: number, text: string): void {
    const v = this.vertices.get(vertex);
    if (!v) return;
    const lines = (v.partial + text).split("\n");
    v.partial = lines.pop() ?? "";
    for (const l of lines) this.logLine(vertex, v, l);
  }

  private flushPartial(vertex: number): void {
    const v = this.vertices.get(vertex);
    if (!v || v.partial === "") return;
    const rest = v.partial;
    v.partial = "";
    this.logLine(vertex, v, rest);
  }

  private logLine(vertex: number, v: Vertex, text: string): void {
    const elapsed = ((this.now() - v.startedAt) / 1000).toFixed(3);
    this.line(vertex, `${elapsed} ${text.replace(/\r$/, "")}`);
  }
}
