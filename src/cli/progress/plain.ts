import type { BuildEvent } from "../../engine/progress";
import { seconds } from "../human-time";
import type { ProgressRenderer, TextSink } from "./sink";

interface Vertex {
  header: string;
  startedAt: number;
  /** A log chunk's unfinished last line, printed when the rest arrives or the step ends. */
  partial: string;
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
        this.start(event.vertex, `${event.label} ${event.display}`);
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
    this.vertices.set(vertex, { header, startedAt: this.now(), partial: "" });
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
