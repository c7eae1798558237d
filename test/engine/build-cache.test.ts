import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import { CacheStore } from "../../src/cache";
import { buildWithEvents, ranSteps, rm, tempTree } from "./helpers";

/**
 * The build API end to end on FROM scratch + COPY images: what runs, what is cached, and that a
 * damaged cache is repaired rather than trusted.
 */
const dockerfile = `FROM scratch
COPY a.txt /a.txt
COPY dir/ /dir/
WORKDIR /work
COPY b.txt /work/
LABEL k=v
`;

/** Fixed `created` times, so equal inputs give equal digests whenever the builds run. */
const EPOCH = 1700000000;

let ctx: string;
let cache: string;
beforeEach(() => {
  ctx = tempTree({ Dockerfile: dockerfile, "a.txt": "a", "b.txt": "b", "dir/x": "x", "dir/sub/y": "y" });
  cache = tempTree({}, "tsbuild-cache-");
});
afterEach(() => rm(ctx, cache));

describe("build cache", () => {
  it("cold build runs every layer step; a no-change rebuild is all cached with the same digest", async () => {
    const cold = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    expect(cold.steps.map((s) => s.cached)).toEqual([false, false, false, false]);
    const warm = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    expect(warm.steps.every((s) => s.cached)).toBe(true);
    expect(warm.digest).toBe(cold.digest);
  });

  it("touching files without changing bytes keeps everything cached", async () => {
    const cold = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: 1700000000 });
    const later = new Date(Date.now() + 120_000);
    for (const f of ["a.txt", "b.txt", "dir/x"]) fs.utimesSync(path.join(ctx, f), later, later);
    const warm = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: 1700000000 });
    expect(ranSteps(warm)).toEqual([]);
    expect(warm.digest).toBe(cold.digest);
  });

  it("editing a file reruns only the step that copies it and the ones after", async () => {
    await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    fs.writeFileSync(path.join(ctx, "dir/sub/y"), "y2");
    const after = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    expect(after.steps.map((s) => [s.display, s.cached])).toEqual([
      ["COPY a.txt /a.txt", true],
      ["COPY dir/ /dir/", false],
      ["WORKDIR /work", false],
      ["COPY b.txt /work/", false],
    ]);
  });

  it("--no-cache runs everything again", async () => {
    await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    const again = await build({ context: ctx, cacheDir: cache, noCache: true });
    expect(again.steps.every((s) => !s.cached)).toBe(true);
  });

  it("a corrupted layer blob is detected, evicted and rebuilt, never used", async () => {
    const cold = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    const store = await CacheStore.open(cache);
    const victim = cold.steps[1].layer?.digest as string;
    const file = store.blobs.path(victim);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 5] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const { result, events } = await buildWithEvents({
      context: ctx,
      cacheDir: cache,
      sourceDateEpoch: EPOCH,
    });
    expect(result.steps[1].cached).toBe(false);
    expect(result.digest).toBe(cold.digest);
    expect(await store.blobs.verify(victim)).toBe("ok");
    // Only the damaged step runs again: the others' keys do not depend on it being re-made.
    expect(
      events.filter((e) => e.type === "step-cached").map((e) => e.type === "step-cached" && e.id),
    ).toEqual(["0.0", "0.2", "0.3"]);
  });

  it("a truncated blob is rebuilt too", async () => {
    const cold = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    const store = await CacheStore.open(cache);
    const victim = cold.steps[0].layer?.digest as string;
    fs.truncateSync(store.blobs.path(victim), 10);
    const again = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    expect(again.steps[0].cached).toBe(false);
    expect(again.digest).toBe(cold.digest);
  });

  it("two builds at once on one cache both succeed with the same image", async () => {
    const [a, b] = await Promise.all([
      build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH }),
      build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH }),
    ]);
    expect(a.digest).toBe(b.digest);
    const third = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH });
    expect(third.steps.every((s) => s.cached)).toBe(true);
  });

  it("an aborted build rejects and leaves no record of unfinished steps", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(build({ context: ctx, cacheDir: cache, signal: controller.signal })).rejects.toThrow(
      /aborted/,
    );
    const store = await CacheStore.open(cache);
    expect(await store.records.list()).toHaveLength(0);
    const tmp = path.join(cache, "tmp");
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
  });
});

describe("build results", () => {
  it("multistage with --target builds only what the target needs", async () => {
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      "FROM scratch AS one\nCOPY a.txt /\nFROM scratch AS two\nCOPY b.txt /\nFROM one\nCOPY --from=two /b.txt /from-two\n",
    );
    const { result } = await buildWithEvents({ context: ctx, cacheDir: cache, target: "two" });
    expect(result.steps.map((s) => s.display)).toEqual(["COPY b.txt /"]);
  });

  it("SOURCE_DATE_EPOCH gives byte-identical images across builds at different times", async () => {
    const a = await build({ context: ctx, cacheDir: cache, sourceDateEpoch: 1700000000, noCache: true });
    for (const f of ["a.txt", "b.txt"])
      fs.utimesSync(path.join(ctx, f), new Date(), new Date(Date.now() + 5000));
    const other = tempTree({}, "tsbuild-cache-");
    try {
      const b = await build({ context: ctx, cacheDir: other, sourceDateEpoch: 1700000000 });
      expect(b.digest).toBe(a.digest);
      expect(b.config.created).toBe("2023-11-14T22:13:20Z");
    } finally {
      rm(other);
    }
  });

  it("tags the image in the local store", async () => {
    const r = await build({ context: ctx, cacheDir: cache, tags: ["example/app:1", "example/app"] });
    const store = await CacheStore.open(cache);
    expect((await store.images.get("example/app:1"))?.manifestDigest).toBe(r.digest);
    expect((await store.images.get("example/app:latest"))?.manifestDigest).toBe(r.digest);
  });

  it("a missing Dockerfile is a typed error naming the file", async () => {
    fs.rmSync(path.join(ctx, "Dockerfile"));
    await expect(build({ context: ctx, cacheDir: cache, sourceDateEpoch: EPOCH })).rejects.toThrow(
      /read Dockerfile .*Dockerfile: no such file/,
    );
  });
});

describe("copying between stages", () => {
  it("COPY --from a stage copies its files, WORKDIR makes only missing directories", async () => {
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      "FROM scratch AS one\nCOPY dir/ /src/\nWORKDIR /src\nFROM scratch\nCOPY --from=one /src/sub /copied/\nWORKDIR /copied\n",
    );
    const out = tempTree({}, "tsbuild-out-");
    try {
      const r = await build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
      expect(fs.readFileSync(path.join(out, "copied/y"), "utf8")).toBe("y");
      // WORKDIR /src and /copied already exist: their steps change nothing, and the image gets
      // BuildKit's empty layer for each (a WORKDIR other than "/" always commits one).
      expect(r.steps.filter((s) => s.display.startsWith("WORKDIR")).map((s) => s.layer)).toEqual([
        undefined,
        undefined,
      ]);
      expect(r.config.rootfs.diff_ids).toHaveLength(2);
      expect(r.config.history?.map((h) => h.empty_layer ?? false)).toEqual([false, false]);
    } finally {
      rm(out);
    }
  });
});

describe("cache export and import", () => {
  it("--cache-to type=local then --cache-from on an empty cache: everything is cached", async () => {
    const exported = tempTree({}, "tsbuild-cache-export-");
    const empty = tempTree({}, "tsbuild-cache-");
    try {
      const first = await build({
        context: ctx,
        cacheDir: cache,
        sourceDateEpoch: EPOCH,
        cacheTo: [{ type: "local", dest: exported }],
      });
      const second = await build({
        context: ctx,
        cacheDir: empty,
        sourceDateEpoch: EPOCH,
        cacheFrom: [{ type: "local", src: exported }],
      });
      expect(second.steps.every((s) => s.cached)).toBe(true);
      expect(second.digest).toBe(first.digest);
    } finally {
      rm(exported, empty);
    }
  });
});

describe("--no-cache-filter", () => {
  it("reruns only the named stage's steps", async () => {
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      "FROM scratch AS deps\nCOPY a.txt /a\nFROM deps AS app\nCOPY b.txt /b\n",
    );
    await build({ context: ctx, cacheDir: cache });
    const again = await build({ context: ctx, cacheDir: cache, noCacheFilter: ["APP"] });
    expect(again.steps.map((s) => [s.display, s.cached])).toEqual([
      ["COPY a.txt /a", true],
      ["COPY b.txt /b", false],
    ]);
  });
});

describe("sessions", () => {
  it("a build that fails during setup ends its session (prune would otherwise protect it forever)", async () => {
    await expect(
      // A --cache-from that is a file, not a cache directory, fails before any step.
      build({ context: ctx, cacheDir: cache, cacheFrom: [{ type: "local", src: path.join(ctx, "a.txt") }] }),
    ).rejects.toThrow();
    const sessions = path.join(cache, "sessions");
    expect(fs.existsSync(sessions) ? fs.readdirSync(sessions) : []).toEqual([]);
  });
});

describe("ADD <url>", () => {
  it("re-fetches when the remote changes (ETag) and stays cached while it does not", async () => {
    const http = await import("node:http");
    let body = "version 1\n";
    const server = http.createServer((req, res) => {
      res.writeHead(200, {
        etag: `"${Buffer.from(body).toString("hex")}"`,
        "content-length": Buffer.byteLength(body),
      });
      res.end(req.method === "HEAD" ? undefined : body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      fs.writeFileSync(
        path.join(ctx, "Dockerfile"),
        `FROM scratch\nADD http://127.0.0.1:${port}/file.txt /file.txt\n`,
      );
      const first = await build({ context: ctx, cacheDir: cache });
      const same = await build({ context: ctx, cacheDir: cache });
      expect(same.steps[0].cached).toBe(true);
      body = "version 2\n";
      const changed = await build({ context: ctx, cacheDir: cache });
      expect(changed.steps[0].cached).toBe(false);
      expect(changed.steps[0].layer?.digest).not.toBe(first.steps[0].layer?.digest);
    } finally {
      server.close();
    }
  });
});
