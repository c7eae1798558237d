import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import type { BuildResult } from "../../src/engine/build-options";
import { CacheStore } from "../../src/cache";
import { rm, tempTree } from "./helpers";

/**
 * COPY --from=stage is keyed on what it copies (BuildKit's content-based cache key): a builder
 * stage rebuilt with the same output — a comment edited in its source — leaves the steps that
 * read it cached: in the stage that copies, in a stage built FROM that one, in a RUN that mounts
 * it. The copied file's mtime differs between the two builder runs (touch -r from the source),
 * so a key over the layer as written (times included) would miss.
 */
const DOCKERFILE = `FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]

FROM base AS builder
COPY src.txt /src.txt
RUN grep -v '^#' /src.txt > /out && touch -r /src.txt /out

FROM base AS mid
COPY --from=builder /out /out
RUN wc -c < /out > /count

FROM mid AS more
RUN cp /count /count2

FROM base
RUN --mount=from=mid,target=/m cat /m/count /m/out > /summary
COPY --from=more /count2 /count2
`;

/** Below the epoch, so the clamp leaves them: the builder's two runs write /out with these. */
const FIRST = new Date("2005-01-01T00:00:00Z");
const SECOND = new Date("2001-01-01T00:00:00Z");
const EPOCH = 1700000000;

let ctx: string;
let cache: string;
beforeEach(() => {
  ctx = tempTree({ Dockerfile: DOCKERFILE, busybox: fs.readFileSync("/bin/busybox"), "src.txt": "data\n" });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  fs.utimesSync(path.join(ctx, "src.txt"), FIRST, FIRST);
  cache = tempTree({}, "tsbuild-cache-");
});
afterEach(() => rm(ctx, cache));

function cached(r: BuildResult): Record<string, boolean> {
  return Object.fromEntries(r.steps.map((s) => [s.display, s.cached]));
}

function edit(content: string): void {
  fs.writeFileSync(path.join(ctx, "src.txt"), content);
  fs.utimesSync(path.join(ctx, "src.txt"), SECOND, SECOND);
}

const options = (): Parameters<typeof build>[0] => ({
  context: ctx,
  cacheDir: cache,
  sourceDateEpoch: EPOCH,
});

describe("COPY --from=stage keyed on content", () => {
  it("a rebuilt stage with the same files: every step that reads it is cached, the image is the same", async () => {
    const first = await build(options());
    expect(first.steps.every((s) => !s.cached)).toBe(true);
    edit("# a comment the builder drops\ndata\n");
    const second = await build(options());
    expect(cached(second)).toEqual({
      "COPY busybox /bin/busybox": true,
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]': true,
      "COPY src.txt /src.txt": false,
      "RUN grep -v '^#' /src.txt > /out && touch -r /src.txt /out": false,
      "COPY --from=builder /out /out": true,
      "RUN wc -c < /out > /count": true,
      "RUN cp /count /count2": true,
      "RUN --mount=from=mid,target=/m cat /m/count /m/out > /summary": true,
      "COPY --from=more /count2 /count2": true,
    });
    // The COPY reused the first build's layer (its /out dated 2005, not 2001): the same image.
    expect(second.digest).toBe(first.digest);
    // And a third build changes nothing: the fast keys now lead to the content keys.
    const third = await build(options());
    expect(third.steps.every((s) => s.cached)).toBe(true);
    expect(third.digest).toBe(first.digest);
  });

  it("different files: the COPY and everything after it run, and the image has the new bytes", async () => {
    const first = await build(options());
    edit("other\n");
    const second = await build(options());
    expect(cached(second)).toMatchObject({
      "COPY --from=builder /out /out": false,
      "RUN wc -c < /out > /count": false,
      "RUN cp /count /count2": false,
      "RUN --mount=from=mid,target=/m cat /m/count /m/out > /summary": false,
      "COPY --from=more /count2 /count2": false,
    });
    expect(second.digest).not.toBe(first.digest);
    // Back to the first bytes (dated differently): everything downstream is found again.
    edit("data\n");
    const third = await build(options());
    expect(cached(third)["COPY --from=builder /out /out"]).toBe(true);
    expect(third.digest).toBe(first.digest);
  });

  it("the copy's record names its content key, and both keys have records", async () => {
    const first = await build(options());
    const copy = first.steps.find((s) => s.display === "COPY --from=builder /out /out");
    expect(copy?.contentKey).toMatch(/^[0-9a-f]{64}@source-date-epoch=1700000000$/);
    const store = await CacheStore.open(cache);
    const fast = await store.records.get(copy?.cacheKey ?? "", { touch: false });
    expect(`${fast?.contentKey}@source-date-epoch=${EPOCH}`).toBe(copy?.contentKey);
    const byContent = await store.records.get(copy?.contentKey ?? "", { touch: false });
    expect(byContent?.layer?.digest).toBe(fast?.layer?.digest);
  });
});
