import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import type { BuildOptions, BuildResult } from "../../src/engine/build-options";
import type { BuildEvent } from "../../src/engine/progress";
import { CacheStore, prune } from "../../src/cache";
import { rm, tempTree } from "./helpers";

/**
 * Every reason a step can miss the cache, end to end: each test builds twice in one cache dir,
 * changes one input, and checks what the second build says about the step that ran.
 */
const busybox = fs.readFileSync("/bin/busybox");
const EPOCH = 1700000000;

let ctx: string;
let cache: string;
beforeEach(() => {
  ctx = tempTree({ "app.js": "v1\n", "lib.js": "lib\n", "src/main.js": "main\n" });
  cache = tempTree({}, "tsbuild-cache-");
});
afterEach(() => rm(ctx, cache));

function dockerfile(text: string): void {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), text);
}

async function run(
  extra: Partial<BuildOptions> = {},
): Promise<{ result: BuildResult; events: BuildEvent[] }> {
  const events: BuildEvent[] = [];
  const result = await build({
    context: ctx,
    cacheDir: cache,
    sourceDateEpoch: EPOCH,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { result, events };
}

/** [display, reason, message] of the steps that ran. */
function misses(result: BuildResult): Array<[string, string | undefined, string | undefined]> {
  return result.steps.filter((s) => !s.cached).map((s) => [s.display, s.miss?.reason, s.miss?.message]);
}

const COPY3 = `FROM scratch
COPY app.js /app/
COPY src/ /src/
WORKDIR /work
`;

describe("cache-miss explanations", () => {
  test("first build: every step says so; a warm rebuild has no misses", async () => {
    dockerfile(COPY3);
    const { result, events } = await run();
    expect(misses(result)).toEqual([
      ["COPY app.js /app/", "first-build", "first build"],
      ["COPY src/ /src/", "first-build", "first build"],
      ["WORKDIR /work", "first-build", "first build"],
    ]);
    expect(events.filter((e) => e.type === "step-miss")).toHaveLength(3);
    const warm = await run();
    expect(misses(warm.result)).toEqual([]);
    expect(warm.events.some((e) => e.type === "step-miss")).toBe(false);
  });

  test("a changed file is named with its old and new hash; later steps say their parent missed", async () => {
    dockerfile(COPY3);
    await run();
    fs.writeFileSync(path.join(ctx, "src/main.js"), "main v2\n");
    const { result } = await run();
    expect(misses(result)).toEqual([
      [
        "COPY src/ /src/",
        "files-changed",
        expect.stringMatching(/^src\/main\.js changed \(xxh64 [0-9a-f]{12}…→[0-9a-f]{12}…\)$/),
      ],
      ["WORKDIR /work", "parent-missed", "parent step missed"],
    ]);
    const changes = result.steps[1].miss?.inputs ?? [];
    expect(changes).toEqual([
      {
        kind: "file",
        name: "src/main.js",
        before: expect.stringMatching(/^file 0644 xxh64:/),
        after: expect.stringMatching(/^file 0644 xxh64:/),
      },
    ]);
    expect(changes[0].before).not.toBe(changes[0].after);
  });

  test("an added and a removed file are named as such", async () => {
    dockerfile(COPY3);
    await run();
    fs.writeFileSync(path.join(ctx, "src/new.js"), "new\n");
    const first = await run();
    expect(first.result.steps[1].miss?.message).toBe("src/new.js added");
    fs.rmSync(path.join(ctx, "src/main.js"));
    const second = await run();
    expect(second.result.steps[1].miss?.message).toBe("src/main.js removed");
  });

  test("a changed build arg is named; its value before and after are in the inputs", async () => {
    dockerfile(`FROM scratch
COPY busybox /bin/busybox
ARG VERSION=1
RUN ["/bin/busybox", "true"]
`);
    fs.writeFileSync(path.join(ctx, "busybox"), busybox, { mode: 0o755 });
    await run({ buildArgs: { VERSION: "1.0" } });
    const { result } = await run({ buildArgs: { VERSION: "2.0" } });
    expect(misses(result)).toEqual([
      [`RUN ["/bin/busybox", "true"]`, "build-arg-changed", "build arg VERSION changed"],
    ]);
    expect(result.steps[1].miss?.inputs).toEqual([
      { kind: "build-arg", name: "VERSION", before: "1.0", after: "2.0" },
    ]);
  });

  test("a changed ENV is named", async () => {
    fs.writeFileSync(path.join(ctx, "busybox"), busybox, { mode: 0o755 });
    const text = (mode: string): string =>
      `FROM scratch\nCOPY busybox /bin/busybox\nENV MODE=${mode}\nRUN ["/bin/busybox", "true"]\n`;
    dockerfile(text("a"));
    await run();
    dockerfile(text("b"));
    const { result } = await run();
    expect(misses(result)).toEqual([[`RUN ["/bin/busybox", "true"]`, "env-changed", "ENV MODE changed"]]);
    expect(result.steps[1].miss?.inputs).toEqual([{ kind: "env", name: "MODE", before: "a", after: "b" }]);
  });

  test("a changed instruction says so", async () => {
    dockerfile(COPY3);
    await run();
    dockerfile(COPY3.replace("WORKDIR /work", "WORKDIR /other"));
    const { result } = await run();
    expect(misses(result)).toEqual([["WORKDIR /other", "instruction-changed", "instruction changed (path)"]]);
    expect(result.steps[2].miss?.inputs).toEqual([
      { kind: "instruction", name: "path", before: '"/work"', after: '"/other"' },
    ]);
  });

  test("a changed RUN command and a changed COPY destination are instruction changes", async () => {
    fs.writeFileSync(path.join(ctx, "busybox"), busybox, { mode: 0o755 });
    const text = (arg: string, dest: string): string =>
      `FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "${arg}"]\nCOPY app.js ${dest}\n`;
    dockerfile(text("true", "/a/"));
    await run();
    dockerfile(text("pwd", "/a/"));
    const first = await run();
    expect(first.result.steps[1].miss).toMatchObject({
      reason: "instruction-changed",
      message: "instruction changed (argv)",
    });
    dockerfile(text("pwd", "/b/"));
    const second = await run();
    expect(misses(second.result)).toEqual([
      ["COPY app.js /b/", "instruction-changed", "instruction changed (dest)"],
    ]);
  });

  test("COPY --from a stage that changed: source changed", async () => {
    dockerfile(
      "FROM scratch AS lib\nCOPY lib.js /\nFROM scratch\nCOPY app.js /\nCOPY --from=lib /lib.js /lib.js\n",
    );
    await run();
    fs.writeFileSync(path.join(ctx, "lib.js"), "lib v2\n");
    const { result } = await run();
    expect(misses(result)).toEqual([
      ["COPY lib.js /", "files-changed", expect.stringMatching(/^lib\.js changed/)],
      ["COPY --from=lib /lib.js /lib.js", "source-changed", "COPY --from stage changed"],
    ]);
  });

  test("--no-cache and --no-cache-filter say so", async () => {
    dockerfile(COPY3);
    await run();
    const all = await run({ noCache: true });
    expect(all.result.steps.map((s) => s.miss?.reason)).toEqual(["no-cache", "no-cache", "no-cache"]);
    expect(all.result.steps[0].miss?.message).toBe("--no-cache");
    const filtered = await run({ noCacheFilter: ["0"] });
    expect(filtered.result.steps.map((s) => s.miss?.reason)).toEqual(["no-cache", "no-cache", "no-cache"]);
  });

  test("a moved base image tag: base image digest changed, then parent step missed", async () => {
    // Two images under one tag in the same store, one after the other.
    const baseCtx = tempTree({ "f.txt": "one" });
    try {
      fs.writeFileSync(path.join(baseCtx, "Dockerfile"), "FROM scratch\nCOPY f.txt /\n");
      await build({ context: baseCtx, cacheDir: cache, tags: ["explain-base:1"], sourceDateEpoch: EPOCH });
      dockerfile("FROM explain-base:1\nCOPY app.js /\nCOPY lib.js /\n");
      await run();
      fs.writeFileSync(path.join(baseCtx, "f.txt"), "two");
      await build({ context: baseCtx, cacheDir: cache, tags: ["explain-base:1"], sourceDateEpoch: EPOCH });
      const { result } = await run();
      expect(misses(result)).toEqual([
        [
          "COPY app.js /",
          "base-image-changed",
          expect.stringMatching(
            /^base image digest changed \(explain-base:1 sha256:[0-9a-f]{12}…→sha256:[0-9a-f]{12}…\)$/,
          ),
        ],
        ["COPY lib.js /", "parent-missed", "parent step missed"],
      ]);
      expect(result.steps[0].miss?.inputs[0]).toMatchObject({ kind: "base-image", name: "explain-base:1" });
    } finally {
      rm(baseCtx);
    }
  });

  test("a pruned record: the last build's result is gone", async () => {
    dockerfile(COPY3);
    await run();
    const store = await CacheStore.open(cache);
    await prune(store, { keepStorage: 0 });
    const { result } = await run();
    expect(result.steps[0].miss?.reason).toBe("record-gone");
  });

  test("a record an older tsbuild wrote (no inputs): said so", async () => {
    dockerfile(COPY3);
    await run();
    const records = path.join(cache, "records");
    for (const name of fs.readdirSync(records)) {
      const file = path.join(records, name);
      const { inputs: _inputs, ...old } = JSON.parse(fs.readFileSync(file, "utf8")) as Record<
        string,
        unknown
      >;
      fs.writeFileSync(file, JSON.stringify(old));
    }
    fs.writeFileSync(path.join(ctx, "app.js"), "v2\n");
    const { result } = await run();
    expect(result.steps[0].miss).toMatchObject({
      reason: "record-gone",
      message: "the last build of this step kept no inputs (an older tsbuild wrote it)",
    });
  });

  test("SOURCE_DATE_EPOCH changed", async () => {
    dockerfile(COPY3);
    await run();
    const { result } = await run({ sourceDateEpoch: EPOCH + 1 });
    expect(result.steps[0].miss).toMatchObject({
      reason: "source-date-epoch-changed",
      message: "SOURCE_DATE_EPOCH changed",
    });
  });

  test("a bind mount's context files are diffed like COPY's", async () => {
    dockerfile(`FROM scratch
COPY busybox /bin/busybox
RUN --mount=type=bind,source=src,target=/mnt ["/bin/busybox", "true"]
`);
    fs.writeFileSync(path.join(ctx, "busybox"), busybox, { mode: 0o755 });
    await run();
    fs.writeFileSync(path.join(ctx, "src/main.js"), "changed\n");
    const { result } = await run();
    expect(misses(result)).toEqual([
      [
        expect.stringMatching(/^RUN --mount/),
        "files-changed",
        expect.stringMatching(/^src\/main\.js changed/),
      ],
    ]);
  });
});
