import { stepTitle, type BuildEvent, type TransferStatus } from "../../engine/progress";
import { seconds } from "../human-time";
import type { ProgressRenderer, TextSink } from "./sink";
import { byteText, progressBar, rateText, shortDigests } from "./status-text";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Log lines kept under a running (or failed) step, like BuildKit's tty view. */
const LOG_LINES = 6;
const ESC = "\x1b[";

interface Row {
  title: string;
  startedAt: number;
  endedAt?: number;
  state: "running" | "cached" | "done" | "error";
  logs: string[];
  partial: string;
  /** Why the step missed the cache: shown under it until the end. */
  miss?: string;
  /** Transfers under the step (layers pulled or pushed), by name, in arrival order. */
  statuses: Map<string, StatusRow>;
}

interface StatusRow extends TransferStatus {
  startedAt: number;
  endedAt?: number;
}

export interface TtyRendererOptions {
  /** Redraw period in ms; 0 draws only on `render()` and `close()` (tests). Default 100. */
  intervalMs?: number;
  now?: () => number;
  /** ANSI colors (failed steps red), off by default; createRenderer turns them on per colorEnabled. */
  color?: boolean;
}

/**
 * `--progress=tty`: BuildKit's live view, redrawn in place with plain ANSI (cursor up, clear to
 * end of screen) — a header with the elapsed time and steps done, one line per step with its
 * timer (`CACHED`, `ERROR`, a spinner while it runs), and the running steps' last log lines. The
 * frame is cut to the terminal's height while live; the final frame is printed whole.
 */
export class TtyRenderer implements ProgressRenderer {
  private readonly rows = new Map<string, Row>();
  private readonly started: number;
  private readonly now: () => number;
  private readonly color: boolean;
  private readonly timer: NodeJS.Timeout | undefined;
  private drawnLines = 0;
  private frame = 0;
  private finished = false;
  private closed = false;

  constructor(
    private readonly out: TextSink,
    options: TtyRendererOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.color = options.color ?? false;
    this.started = this.now();
    const interval = options.intervalMs ?? 100;
    this.out.write(`${ESC}?25l`);
    if (interval > 0) {
      this.timer = setInterval(() => this.render(), interval);
      this.timer.unref();
    }
  }

  onEvent(event: BuildEvent): void {
    const at = this.now();
    switch (event.type) {
      case "step-start":
        this.rows.set(`v${event.vertex}`, {
          title: stepTitle(event.label, event.display),
          startedAt: at,
          state: "running",
          logs: [],
          partial: "",
          statuses: new Map(),
        });
        break;
      case "step-cached":
        this.end(`v${event.vertex}`, "cached", at);
        break;
      case "step-miss": {
        const row = this.rows.get(`v${event.vertex}`);
        if (row) row.miss = event.message;
        break;
      }
      case "step-log": {
        const row = this.rows.get(`v${event.vertex}`);
        if (!row) break;
        const lines = (row.partial + event.text).split("\n");
        row.partial = lines.pop() ?? "";
        row.logs.push(...lines.map((l) => l.replace(/\r$/, "")));
        row.logs.splice(0, Math.max(0, row.logs.length - LOG_LINES));
        break;
      }
      case "step-done":
        this.end(`v${event.vertex}`, "done", at);
        break;
      case "step-error":
        this.end(`v${event.vertex}`, "error", at);
        break;
      case "export-start":
        this.rows.set(`x${event.what}`, {
          title: `exporting to ${event.what}`,
          startedAt: at,
          state: "running",
          logs: [],
          partial: "",
          statuses: new Map(),
        });
        break;
      case "export-done":
        this.end(`x${event.what}`, "done", at);
        break;
      case "step-status":
        this.status(`v${event.vertex}`, event, at);
        break;
      case "export-status":
        this.status(`x${event.what}`, event, at);
        break;
      case "done":
        this.finished = true;
        break;
      default:
        break;
    }
  }

  /** Draws the current frame over the previous one. */
  render(): void {
    if (this.closed) return;
    this.draw(this.lines(true));
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.draw(this.lines(false));
    this.closed = true;
    this.out.write(`${ESC}?25h`);
  }

  private end(key: string, state: Row["state"], at: number): void {
    const row = this.rows.get(key);
    if (!row) return;
    row.state = state;
    row.endedAt = at;
    if (row.partial !== "") row.logs.push(row.partial);
    row.partial = "";
  }

  private status(key: string, s: TransferStatus, at: number): void {
    const row = this.rows.get(key);
    if (!row) return;
    const prev = row.statuses.get(s.status);
    row.statuses.set(s.status, {
      ...s,
      startedAt: prev?.startedAt ?? at,
      ...(s.done ? { endedAt: at } : {}),
    });
  }

  private draw(lines: string[]): void {
    const up = this.drawnLines > 0 ? `${ESC}${this.drawnLines}A\r` : "";
    this.out.write(`${up}${ESC}0J${lines.map((l) => l + "\n").join("")}`);
    this.drawnLines = lines.length;
    this.frame++;
  }

  private lines(live: boolean): string[] {
    const width = Math.max(40, this.out.columns ?? 80);
    const now = this.now();
    const all = [...this.rows.values()];
    const done = all.filter((r) => r.state !== "running").length;
    const state = this.finished ? " FINISHED" : all.some((r) => r.state === "error") ? " ERROR" : "";
    const header = `[+] Building ${seconds(now - this.started)} (${done}/${all.length})${state}`;
    const body: string[] = [];
    for (const row of all) {
      const timer = seconds((row.endedAt ?? now) - row.startedAt);
      const mark =
        row.state === "cached"
          ? "CACHED "
          : row.state === "error"
            ? "ERROR "
            : row.state === "running" && live
              ? `${SPINNER[this.frame % SPINNER.length]} `
              : "";
      const line = fit(` => ${mark}${row.title}`, timer, width);
      body.push(this.color && row.state === "error" ? `${ESC}31m${line}${ESC}0m` : line);
      if (row.miss !== undefined) body.push(truncate(` => => CACHE MISS: ${row.miss}`, width));
      for (const st of row.statuses.values()) body.push(statusLine(st, now, width));
      if (row.state === "running" || row.state === "error") {
        const logs = row.partial !== "" ? [...row.logs, row.partial].slice(-LOG_LINES) : row.logs;
        for (const l of logs) body.push(truncate(` => => # ${l}`, width));
      }
    }
    const height = live ? Math.max(3, (this.out.rows ?? 24) - 1) : Infinity;
    // Live frames must fit the screen (cursor-up cannot reach scrolled-off lines): drop the oldest.
    const visible = body.length + 1 > height ? body.slice(body.length - (height - 1)) : body;
    return [truncate(header, width), ...visible];
  }
}

/**
 * A transfer under its step, BuildKit's ` => => sha256:… 1.05MB / 3.40MB` with a bar while it
 * runs and the rate: ` => => sha256:0123456789ab… [=====>    ] 1.05MB / 3.40MB 2.10MB/s   0.5s`.
 */
function statusLine(st: StatusRow, now: number, width: number): string {
  const elapsed = (st.endedAt ?? now) - st.startedAt;
  const parts = [` => => ${shortDigests(st.status)}`];
  const current = st.current ?? 0;
  if (st.total !== undefined && st.total > 0) {
    if (!st.done) parts.push(progressBar(current, st.total));
    parts.push(`${byteText(current)} / ${byteText(st.total)}`);
  } else if (current > 0) parts.push(byteText(current));
  const rate = rateText(current, elapsed);
  if (rate !== "") parts.push(rate);
  return fit(parts.join(" "), seconds(elapsed), width);
}

/** `text` left, `right` right-aligned at the terminal's last column, text cut to fit. */
function fit(text: string, right: string, width: number): string {
  const room = width - right.length - 1;
  const left = truncate(text, room);
  return left + " ".repeat(Math.max(1, width - [...left].length - right.length)) + right;
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, Math.max(0, width - 1)).join("") + "…";
}
