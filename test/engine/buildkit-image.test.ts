import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import { fillHistoryCreated } from "../../src/image/history-times";
import { rm, tempTree } from "./helpers";

// Images as BuildKit writes them: empty layers of steps that change nothing, and the same image
// (same digest) from a rebuild that changes nothing.

const EMPTY_TAR_DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

let ctx: string;
let cache: string;
beforeEach(() => {
  ctx = tempTree({ "a.txt": "a\n", "dir/b.txt": "b\n", busybox: fs.readFileSync("/bin/busybox") });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  cache = tempTree({}, "tsbuild-cache-");
});
afterEach(() => rm(ctx, cache));

function dockerfile(text: string): void {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), text);
}

describe("layers of steps that change nothing", () => {
  it("WORKDIR of an existing directory commits an empty layer; WORKDIR / commits none", async () => {
    dockerfile("FROM scratch\nCOPY dir /dir\nWORKDIR /dir\nWORKDIR /\nENV A=1\n");
    const r = await build({ context: ctx, cacheDir: cache });
    expect(r.config.history?.map((h) => [h.created_by, h.empty_layer ?? false])).toEqual([
      ["COPY dir /dir # buildkit", false],
      ["WORKDIR /dir", false],
      ["WORKDIR /", true],
      ["ENV A=1", true],
    ]);
    expect(r.config.rootfs.diff_ids).toHaveLength(2);
    expect(r.config.rootfs.diff_ids[1]).toBe(EMPTY_TAR_DIFF_ID);
  });
});

describe("a layer repeated in the stack", () => {
  it("RUN works on a stack holding one layer twice (empty layers, two identical COPYs)", async () => {
    // overlayfs refuses a lower dir given twice (ELOOP): the executor stacks each layer once.
    dockerfile(
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "true"]\nRUN ["/bin/busybox", "true"]\n' +
        'COPY a.txt /a\nCOPY a.txt /a\nRUN ["/bin/busybox", "cp", "/a", "/b"]\n',
    );
    const r = await build({ context: ctx, cacheDir: cache });
    const ids = r.config.rootfs.diff_ids;
    expect(ids).toHaveLength(6);
    expect(ids[1]).toBe(EMPTY_TAR_DIFF_ID);
    expect(ids[2]).toBe(EMPTY_TAR_DIFF_ID);
    expect(ids[3]).toBe(ids[4]);
    expect(ids[5]).not.toBe(EMPTY_TAR_DIFF_ID);
  });
});

describe("the default Dockerfile name", () => {
  it("a context with only a lowercase dockerfile builds it (BuildKit's fallback)", async () => {
    fs.writeFileSync(path.join(ctx, "dockerfile"), "FROM scratch\nCOPY a.txt /lower\n");
    const r = await build({ context: ctx, cacheDir: cache });
    expect(r.config.history?.map((h) => h.created_by)).toEqual(["COPY a.txt /lower # buildkit"]);
    // Dockerfile wins when both exist.
    dockerfile("FROM scratch\nCOPY a.txt /upper\n");
    const both = await build({ context: ctx, cacheDir: cache });
    expect(both.config.history?.map((h) => h.created_by)).toEqual(["COPY a.txt /upper # buildkit"]);
  });
});

describe("a rebuild that changes nothing", () => {
  it("is the same image: same config digest and manifest digest", async () => {
    dockerfile("FROM scratch\nENV A=1\nCOPY a.txt /a\nLABEL x=y\nCOPY dir /dir\nWORKDIR /dir\n");
    const first = await build({ context: ctx, cacheDir: cache });
    // Whole seconds pass between the builds only if the clock moves; the result must not depend on it.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await build({ context: ctx, cacheDir: cache });
    expect(second.steps.every((s) => s.cached)).toBe(true);
    expect(second.config).toEqual(first.config);
    expect(second.digest).toBe(first.digest);
  });

  it("a changed step gets a new time, the steps before it keep theirs", async () => {
    dockerfile("FROM scratch\nCOPY a.txt /a\nCOPY dir /dir\n");
    const first = await build({ context: ctx, cacheDir: cache });
    await new Promise((r) => setTimeout(r, 1100));
    fs.writeFileSync(path.join(ctx, "dir/b.txt"), "changed\n");
    const second = await build({ context: ctx, cacheDir: cache });
    const [a1, d1] = first.config.history ?? [];
    const [a2, d2] = second.config.history ?? [];
    expect(a2.created).toBe(a1.created);
    expect(d2.created).not.toBe(d1.created);
    expect(second.config.created).toBe(d2.created);
    expect(second.digest).not.toBe(first.digest);
  });
});

describe("fillHistoryCreated (BuildKit's normalizeLayersAndHistory)", () => {
  it("untimed entries before the first timed one take its time, later ones the previous time", () => {
    const h = [
      { created: "t0", created_by: "base" },
      { created_by: "ENV" },
      { created: "t1", created_by: "RUN" },
      { created_by: "LABEL" },
      { created: "t2", created_by: "COPY" },
      { created_by: "CMD" },
    ];
    expect(fillHistoryCreated(h, "now")).toBe("t2");
    expect(h.map((e) => e.created)).toEqual(["t0", "t1", "t1", "t1", "t2", "t2"]);
  });

  it("no timed entry: the fallback", () => {
    const h: { created?: string; created_by: string }[] = [{ created_by: "ENV" }];
    expect(fillHistoryCreated(h, "now")).toBe("now");
    expect(h[0].created).toBe("now");
  });
});
