import type { BuildEvent } from "../../src/engine/progress";
import {
  createRenderer,
  PlainRenderer,
  RawJsonRenderer,
  TtyRenderer,
  formatWarnings,
} from "../../src/cli/progress";
import type { SolveStatus } from "../../src/cli/progress/rawjson";

/** A fake stderr: records writes; a terminal when `tty` is set. */
function sink(
  tty = false,
  columns = 60,
  rows = 24,
): { write: (t: string) => void; text: () => string; isTTY: boolean; columns: number; rows: number } {
  let text = "";
  return { write: (t: string) => void (text += t), text: () => text, isTTY: tty, columns, rows };
}

/** A clock the test advances by hand. */
function clock(start = 1_000_000): { now: () => number; tick: (ms: number) => void } {
  let t = start;
  return { now: () => t, tick: (ms) => void (t += ms) };
}

const start = (vertex: number, label: string, display: string): BuildEvent => ({
  type: "step-start",
  id: `0.${vertex}`,
  vertex,
  label,
  display,
});

describe("plain progress", () => {
  test("prints BuildKit-style #N blocks: header, CACHED, timed log lines, DONE, exports", () => {
    const out = sink();
    const c = clock();
    const r = new PlainRenderer(out, c.now);
    r.onEvent({ type: "plan", stages: 1, steps: 3 });
    r.onEvent(start(1, "[site 1/6]", "COPY site/ /srv/www/"));
    r.onEvent({ type: "step-cached", id: "0.1", vertex: 1 });
    r.onEvent(start(2, "[site 2/6]", "RUN make"));
    c.tick(123);
    r.onEvent({ type: "step-log", id: "0.2", vertex: 2, stream: "stdout", text: "cc -o app\nlinking" });
    c.tick(100);
    r.onEvent({ type: "step-log", id: "0.2", vertex: 2, stream: "stdout", text: " done\n" });
    r.onEvent({ type: "step-done", id: "0.2", vertex: 2, durationMs: 1260 });
    r.onEvent({ type: "export-start", what: "oci out.tar" });
    r.onEvent({ type: "export-done", what: "oci out.tar", durationMs: 50 });
    r.close();
    expect(out.text()).toBe(
      [
        "#1 [site 1/6] COPY site/ /srv/www/",
        "#1 CACHED",
        "",
        "#2 [site 2/6] RUN make",
        "#2 0.123 cc -o app",
        "#2 0.223 linking done",
        "#2 DONE 1.3s",
        "",
        "#3 exporting to oci out.tar",
        "#3 DONE 0.1s",
        "",
        "",
      ].join("\n"),
    );
  });

  test("interleaved steps re-announce their header when output switches; errors and unfinished lines are shown", () => {
    const out = sink();
    const r = new PlainRenderer(out, clock().now);
    r.onEvent(start(1, "[a 1/2]", "RUN one"));
    r.onEvent(start(2, "[b 1/2]", "RUN two"));
    r.onEvent({ type: "step-log", id: "0.1", vertex: 1, stream: "stderr", text: "partial" });
    r.onEvent({ type: "step-error", id: "0.1", vertex: 1, message: "exit code 2" });
    r.close();
    expect(out.text()).toBe(
      "#1 [a 1/2] RUN one\n\n#2 [b 1/2] RUN two\n\n#1 [a 1/2] RUN one\n#1 0.000 partial\n#1 ERROR: exit code 2\n\n",
    );
  });
});

describe("rawjson progress", () => {
  test("BuildKit's SolveStatus lines: vertexes (started, cached, completed, error), base64 logs, warnings", () => {
    const out = sink();
    const r = new RawJsonRenderer(out, () => Date.UTC(2024, 0, 2, 3, 4, 5));
    r.onEvent(start(1, "[x 1/2]", "COPY a /"));
    r.onEvent({ type: "step-cached", id: "0.1", vertex: 1 });
    r.onEvent(start(2, "[x 2/2]", "RUN make"));
    r.onEvent({ type: "step-log", id: "0.2", vertex: 2, stream: "stderr", text: "cc main.c\n" });
    r.onEvent({ type: "step-error", id: "0.2", vertex: 2, message: "exit code 2" });
    r.onEvent({
      type: "warning",
      rule: "JSONArgsRecommended",
      message: "use JSON",
      line: 3,
      url: "https://x/",
    });
    r.onEvent({ type: "done", digest: "sha256:ab", durationMs: 5, cached: 0, total: 1 });
    r.close();
    const lines = out
      .text()
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as SolveStatus);
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(Object.keys(l)).toEqual(["vertexes", "statuses", "logs", "warnings"]);
    const t = "2024-01-02T03:04:05.000Z";
    const d1 = lines[0].vertexes?.[0].digest;
    expect(d1).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines[0].vertexes).toEqual([{ digest: d1, name: "[x 1/2] COPY a /", started: t }]);
    expect(lines[1].vertexes).toEqual([
      { digest: d1, name: "[x 1/2] COPY a /", started: t, completed: t, cached: true },
    ]);
    const d2 = lines[2].vertexes?.[0].digest;
    expect(d2).not.toBe(d1);
    expect(lines[3].logs).toEqual([
      { vertex: d2, stream: 2, data: Buffer.from("cc main.c\n").toString("base64"), timestamp: t },
    ]);
    expect(lines[4].vertexes?.[0]).toMatchObject({ digest: d2, completed: t, error: "exit code 2" });
    expect(lines[5].warnings).toEqual([
      {
        level: 1,
        short: Buffer.from("JSONArgsRecommended: use JSON (line 3)").toString("base64"),
        url: "https://x/",
        range: [{ start: { line: 3 }, end: { line: 3 } }],
      },
    ]);
  });
});

describe("tty progress", () => {
  // eslint-disable-next-line no-control-regex
  const strip = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\r/g, "");

  test("redraws in place: cursor up over the previous frame, spinner and timer on the running step, last log lines", () => {
    const out = sink(true, 60);
    const c = clock();
    const r = new TtyRenderer(out, { intervalMs: 0, now: c.now });
    r.onEvent(start(1, "[site 1/3]", "COPY site/ /srv/www/"));
    r.onEvent({ type: "step-cached", id: "0.1", vertex: 1 });
    r.onEvent(start(2, "[site 2/3]", "RUN make"));
    c.tick(1500);
    for (let i = 1; i <= 8; i++)
      r.onEvent({ type: "step-log", id: "0.2", vertex: 2, stream: "stdout", text: `line ${i}\n` });
    r.render();
    const first = out.text();
    expect(first.startsWith("\x1b[?25l")).toBe(true); // cursor hidden while live
    const frame1 = strip(first).split("\n");
    expect(frame1[0]).toBe("[+] Building 1.5s (1/2)");
    expect(frame1[1]).toMatch(/^ => CACHED \[site 1\/3\] COPY site\/ \/srv\/www\/ +0\.0s$/);
    expect(frame1[1]).toHaveLength(60);
    expect(frame1[2]).toMatch(/^ => [⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[site 2\/3\] RUN make +1\.5s$/);
    expect(frame1.slice(3, 9)).toEqual([3, 4, 5, 6, 7, 8].map((i) => ` => => # line ${i}`));
    expect(frame1).toHaveLength(10); // 9 lines + the empty string after the last newline

    c.tick(500);
    r.onEvent({ type: "step-done", id: "0.2", vertex: 2, durationMs: 2000 });
    r.onEvent({ type: "done", digest: "sha256:ab", durationMs: 2000, cached: 1, total: 2 });
    r.close();
    const second = out.text().slice(first.length);
    expect(second.startsWith("\x1b[9A\r\x1b[0J")).toBe(true); // back over the 9 lines drawn
    expect(second.endsWith("\x1b[?25h")).toBe(true); // cursor shown again
    expect(strip(second).split("\n")).toEqual([
      "[+] Building 2.0s (2/2) FINISHED",
      expect.stringMatching(/^ => CACHED \[site 1\/3\] COPY site\/ \/srv\/www\/ +0\.0s$/),
      expect.stringMatching(/^ => \[site 2\/3\] RUN make +2\.0s$/),
      "",
    ]);
  });

  test("live frames fit the terminal height and long lines are cut to its width", () => {
    const out = sink(true, 40, 6);
    const c = clock();
    const r = new TtyRenderer(out, { intervalMs: 0, now: c.now });
    for (let v = 1; v <= 8; v++) {
      r.onEvent(start(v, `[s ${v}/8]`, `COPY a-very-long-source-name-${v} /dest/`));
      r.onEvent({ type: "step-done", id: `0.${v}`, vertex: v, durationMs: 1 });
    }
    r.render();
    const lines = strip(out.text()).trimEnd().split("\n");
    expect(lines).toHaveLength(5); // rows - 1
    expect(lines[0]).toBe("[+] Building 0.0s (8/8)");
    expect(lines[4]).toMatch(/\[s 8\/8\]/);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(40);
    expect(lines[4]).toContain("…");
    r.close();
    // The final frame is printed whole.
    const final = strip(out.text()).split("[+] Building").at(-1) ?? "";
    expect(final.match(/ => /g)).toHaveLength(8);
  });

  test("a failed step keeps its last log lines and the header says ERROR", () => {
    const out = sink(true, 60);
    const r = new TtyRenderer(out, { intervalMs: 0, now: clock().now });
    r.onEvent(start(1, "[x 1/1]", "RUN false"));
    r.onEvent({ type: "step-log", id: "0.1", vertex: 1, stream: "stderr", text: "boom" });
    r.onEvent({ type: "step-error", id: "0.1", vertex: 1, message: "exit code 1" });
    r.close();
    const text = strip(out.text());
    expect(text).toContain("(1/1) ERROR");
    expect(text).toMatch(/ => ERROR \[x 1\/1\] RUN false +0\.0s\n => => # boom\n/);
  });
});

describe("createRenderer", () => {
  test("auto is tty on a terminal and plain elsewhere; quiet prints nothing", () => {
    const term = sink(true);
    const auto = createRenderer("auto", term);
    expect(auto).toBeInstanceOf(TtyRenderer);
    auto.close();
    expect(createRenderer("auto", sink(false))).toBeInstanceOf(PlainRenderer);
    const quietOut = sink(true);
    const quiet = createRenderer("quiet", quietOut);
    quiet.onEvent(start(1, "[x 1/1]", "COPY a /"));
    quiet.close();
    expect(quietOut.text()).toBe("");
  });

  test("warnings print like buildx: rule, message, line", () => {
    expect(
      formatWarnings([
        { rule: "JSONArgsRecommended", message: "JSON arguments recommended for CMD", line: 5 },
        { rule: "X", message: "no line" },
      ]),
    ).toBe(
      "\n 2 warnings found:\n - JSONArgsRecommended: JSON arguments recommended for CMD (line 5)\n - X: no line\n",
    );
    expect(formatWarnings([{ rule: "R", message: "m", line: 1 }], true)).toBe(
      "\n \x1b[33m1 warning found:\n\x1b[0m - R: m (line 1)\n",
    );
    expect(formatWarnings([])).toBe("");
  });
});

describe("transfer rows (pull, push, export)", () => {
  const digest = `sha256:${"ab12".repeat(16)}`;
  const status = (current: number, done = false): BuildEvent => ({
    type: "step-status",
    id: "from",
    vertex: 1,
    status: digest,
    current,
    total: 3_400_000,
    done,
  });

  test("plain: BuildKit's status lines; a running transfer repeats at most once a second", () => {
    const out = sink();
    const c = clock();
    const r = new PlainRenderer(out, c.now);
    r.onEvent({ type: "step-start", id: "from", vertex: 1, label: "", display: "FROM r@sha256:x" });
    r.onEvent(status(0));
    c.tick(200);
    r.onEvent(status(1_050_000)); // within the second: not printed
    c.tick(900);
    r.onEvent(status(2_100_000));
    c.tick(300);
    r.onEvent(status(3_400_000, true));
    r.close();
    expect(out.text()).toBe(
      [
        "#1 FROM r@sha256:x",
        `#1 ${digest} / 3.40MB`,
        `#1 ${digest} 2.10MB / 3.40MB 1.1s`,
        `#1 ${digest} 3.40MB / 3.40MB 1.4s done`,
        "",
        "",
      ].join("\n"),
    );
  });

  test("tty: a bar, bytes and rate while running; bytes and rate once done; digests shortened", () => {
    const out = sink(true, 100);
    const c = clock();
    const r = new TtyRenderer(out, { intervalMs: 0, now: c.now });
    r.onEvent({ type: "step-start", id: "from", vertex: 1, label: "", display: "FROM r" });
    r.onEvent(status(0));
    c.tick(500);
    r.onEvent(status(1_700_000));
    r.render();
    expect(out.text()).toContain(
      " => => sha256:ab12ab12ab12… [==========>         ] 1.70MB / 3.40MB 3.40MB/s",
    );
    c.tick(500);
    r.onEvent(status(3_400_000, true));
    r.onEvent({ type: "export-start", what: "registry" });
    r.onEvent({ type: "export-status", what: "registry", status: "pushing layers", done: false });
    r.close();
    const final = out.text().slice(out.text().lastIndexOf("[+] Building"));
    expect(final).toMatch(/ => => sha256:ab12ab12ab12… 3\.40MB \/ 3\.40MB 3\.40MB\/s +1\.0s\n/);
    expect(final).toMatch(/ => exporting to registry +0\.0s\n => => pushing layers +0\.0s\n/);
  });

  test("rawjson: VertexStatus with the vertex's digest, current/total, started and completed", () => {
    const out = sink();
    const c = clock();
    const r = new RawJsonRenderer(out, c.now);
    r.onEvent({ type: "step-start", id: "from", vertex: 1, label: "", display: "FROM r" });
    r.onEvent(status(0));
    c.tick(1000);
    r.onEvent(status(3_400_000, true));
    const lines = out
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as SolveStatus);
    const v = lines[0].vertexes?.[0];
    const t0 = new Date(1_000_000).toISOString();
    const t1 = new Date(1_001_000).toISOString();
    expect(lines[1].statuses).toEqual([
      { id: digest, vertex: v?.digest, total: 3_400_000, current: 0, timestamp: t0, started: t0 },
    ]);
    expect(lines[2].statuses).toEqual([
      {
        id: digest,
        vertex: v?.digest,
        total: 3_400_000,
        current: 3_400_000,
        timestamp: t1,
        started: t0,
        completed: t1,
      },
    ]);
  });
});
