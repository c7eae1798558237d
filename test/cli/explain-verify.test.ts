import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BuildEvent } from "../../src/engine/progress";
import { PlainRenderer, RawJsonRenderer, TtyRenderer } from "../../src/cli/progress";
import type { SolveStatus } from "../../src/cli/progress/rawjson";
import { repoRoot } from "../support/paths";
import { cli, rm, tempDir, tempTree } from "./helpers";

/**
 * `build --explain` and the CACHE MISS lines of each progress mode, and `tsbuild verify` (= build
 * --verify): a clean rebuild compared layer by layer with the build.
 */
const busybox = fs.readFileSync("/bin/busybox");

function sink(): {
  write: (t: string) => void;
  text: () => string;
  isTTY: boolean;
  columns: number;
  rows: number;
} {
  let text = "";
  return { write: (t: string) => void (text += t), text: () => text, isTTY: false, columns: 100, rows: 24 };
}

const events: BuildEvent[] = [
  { type: "step-start", id: "0.0", vertex: 1, label: "[1/2]", display: "COPY src/ /src/" },
  {
    type: "step-miss",
    id: "0.0",
    vertex: 1,
    reason: "files-changed",
    message: "src/a.js changed (xxh64 1111…→2222…)",
    inputs: [],
  },
  { type: "step-done", id: "0.0", vertex: 1, durationMs: 10 },
];

describe("CACHE MISS in the progress output", () => {
  test("plain: a line of the step's block", () => {
    const out = sink();
    const r = new PlainRenderer(out, () => 0);
    for (const e of events) r.onEvent(e);
    r.close();
    expect(out.text()).toContain(
      "#1 [1/2] COPY src/ /src/\n#1 CACHE MISS: src/a.js changed (xxh64 1111…→2222…)\n#1 DONE",
    );
  });

  test("tty: under the step's row, still there once it is done", () => {
    const out = sink();
    const r = new TtyRenderer(out, { intervalMs: 0, now: () => 0 });
    for (const e of events) r.onEvent(e);
    r.close();
    const lines = out.text().split("\n");
    const row = lines.findIndex((l) => l.includes("COPY src/ /src/"));
    expect(lines[row + 1]).toContain("=> => CACHE MISS: src/a.js changed");
  });

  test("rawjson: a log of the vertex", () => {
    const out = sink();
    const r = new RawJsonRenderer(out, () => 0);
    for (const e of events) r.onEvent(e);
    const statuses = out
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as SolveStatus);
    const vertex = statuses[0].vertexes?.[0].digest;
    const logs = statuses.flatMap((s) => s.logs ?? []);
    expect(logs).toHaveLength(1);
    expect(logs[0].vertex).toBe(vertex);
    expect(Buffer.from(logs[0].data, "base64").toString()).toBe(
      "CACHE MISS: src/a.js changed (xxh64 1111…→2222…)\n",
    );
  });
});

describe("build --explain", () => {
  let ctx: string;
  let cache: string;
  beforeEach(() => {
    ctx = tempTree({
      Dockerfile: "FROM scratch\nARG V=1\nCOPY a.txt /\nCOPY b.txt /\n",
      "a.txt": "a",
      "b.txt": "b",
    });
    cache = tempDir("tsbuild-cache-");
  });
  afterEach(() => rm(ctx, cache));

  test("plain progress says why each step ran; --explain prints every changed input", async () => {
    const first = await cli("build", "--cache-dir", cache, "--progress", "plain", ctx);
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/#1 CACHE MISS: first build\n/);
    fs.writeFileSync(path.join(ctx, "a.txt"), "a2");
    const second = await cli("build", "--cache-dir", cache, "--progress", "plain", "--explain", ctx);
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/#1 CACHE MISS: a\.txt changed \(xxh64 [0-9a-f]{12}…→[0-9a-f]{12}…\)\n/);
    expect(second.stderr).toMatch(/#2 CACHE MISS: parent step missed\n/);
    expect(second.stderr).toMatch(/Cache misses \(2\/2 steps\):\nCACHE MISS COPY a\.txt \/: a\.txt changed/);
    expect(second.stderr).toMatch(
      /\n {2}~ a\.txt: file 0644 xxh64:[0-9a-f]{16} → file 0644 xxh64:[0-9a-f]{16}\n/,
    );
    expect(second.stderr).toMatch(
      /CACHE MISS COPY b\.txt \/: parent step missed\n {2}~ parent key: [0-9a-f]{64} → [0-9a-f]{64}\n/,
    );
  });
});

describe("tsbuild verify", () => {
  let ctx: string;
  let cache: string;
  beforeEach(() => {
    cache = tempDir("tsbuild-cache-");
  });
  afterEach(() => rm(ctx, cache));

  test("the example (a git work tree): SOURCE_DATE_EPOCH from its last commit, byte-identical", async () => {
    ctx = tempDir("tsbuild-example-");
    fs.cpSync(path.join(repoRoot, "example"), ctx, { recursive: true });
    fs.writeFileSync(path.join(ctx, "busybox"), busybox, { mode: 0o755 });
    const git = (...args: string[]): string =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
        cwd: ctx,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_COMMITTER_DATE: "@1600000000 +0000",
          GIT_AUTHOR_DATE: "@1600000000 +0000",
        },
      });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "fixture");
    const r = await cli("verify", "--cache-dir", cache, "--progress", "quiet", ctx);
    expect(r.stdout).toContain("SOURCE_DATE_EPOCH=1600000000 (the last git commit)");
    expect(r.stdout).toMatch(/layer 2 {2}identical .* COPY site\/ \/srv\/www\//);
    expect(r.stdout).toContain("reproducible: the rebuild is byte-identical");
    expect(r.status).toBe(0);
  });

  test("COPY and RUN: byte-identical", async () => {
    ctx = tempTree({
      Dockerfile: `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY data.txt /data/
RUN mkdir -p /out/sub && cp /data/data.txt /out/sub/copy.txt && echo built > /out/note && ln -s note /out/link
`,
      busybox,
      "data.txt": "data\n",
    });
    fs.chmodSync(path.join(ctx, "busybox"), 0o755);
    const temps = (): string[] => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("tsbuild-verify-"));
    const before = temps();
    const r = await cli("build", "--verify", "--cache-dir", cache, "--progress", "quiet", ctx);
    // The rebuild's cache was a temporary directory of its own, removed afterwards.
    expect(temps()).toEqual(before);
    expect(r.stdout).toContain("SOURCE_DATE_EPOCH=0 (default)");
    expect(r.stdout).toContain("reproducible: the rebuild is byte-identical");
    expect(r.status).toBe(0);
  });

  // busybox's date has no %N: /proc/uptime's 10 ms ticks stand in for it (two RUNs of one build
  // after another are far more than a tick apart).
  test("a RUN that writes the time into a file: exit 1, the file named", async () => {
    ctx = tempTree({
      Dockerfile: `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN echo stable > /stable && date > /stamp && cat /proc/uptime >> /stamp
`,
      busybox,
    });
    fs.chmodSync(path.join(ctx, "busybox"), 0o755);
    const r = await cli("verify", "--cache-dir", cache, "--progress", "quiet", ctx);
    expect(r.stdout).toMatch(/layer 1 {2}identical .* COPY busybox/);
    expect(r.stdout).toMatch(/layer 3 {2}DIFFERS .* RUN echo stable/);
    expect(r.stdout).toMatch(
      /first difference: stamp \(content: sha256:[0-9a-f]{64} → sha256:[0-9a-f]{64}\)/,
    );
    expect(r.stdout).toMatch(/NOT reproducible \(layer 3, RUN echo stable .*: stamp \(content\)\)/);
    expect(r.status).toBe(1);
  });
});
