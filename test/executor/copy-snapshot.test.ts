/**
 * The copying snapshotter (where overlayfs cannot be mounted) must give the same changes as
 * overlayfs: the same RUN over the same layers, once per snapshotter, diffs to the same entries
 * (new, changed, chmod-only, removed, replaced directories, hardlinks, symlinks, fifos, mount
 * stubs), and read-write bind mounts never write to their source.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { LayerEntry } from "../../src/image/layer-entry";
import { diffUpperDir } from "../../src/rootfs/diff";
import { runStep } from "../../src/executor/run-step";
import type { RunSpec } from "../../src/executor/run-spec";
import { captureIO, mountsUnder, SandboxFixture } from "./sandbox-fixture";

let fx: SandboxFixture;
let lower: string;
beforeAll(() => {
  fx = new SandboxFixture();
  lower = fx.layer({
    "d/a": "a\n",
    "d/sub/b": "b\n",
    "d/gone/x": "x\n",
    "e/k": "keep\n",
    "r/old": "old\n",
    plain: "plain\n",
  });
  fs.symlinkSync("a", path.join(lower, "d/sym"));
  fs.linkSync(path.join(lower, "d/a"), path.join(lower, "d/a-link"));
  fs.chownSync(path.join(lower, "e/k"), 1000, 1000);
  fs.chmodSync(path.join(lower, "e"), 0o750);
});
afterEach(() => {
  expect(mountsUnder(fx.dir)).toEqual([]);
});
afterAll(() => fx.cleanup());

const sh = (script: string): string[] => ["/bin/sh", "-c", script];

interface Seen {
  path: string;
  type: string;
  mode?: number;
  uid?: number;
  gid?: number;
  content?: string;
  target?: string;
  mtime?: number;
}

async function changes(spec: RunSpec, fixedTimes: boolean): Promise<Seen[]> {
  const io = captureIO();
  const result = await runStep(spec, io);
  expect(io.err()).toBe("");
  expect(result.exitCode).toBe(0);
  const out: Seen[] = [];
  for await (const e of diffUpperDir(spec.upperDir)) out.push(await describe(e, fixedTimes));
  return out;
}

async function describe(e: LayerEntry, fixedTimes: boolean): Promise<Seen> {
  if (e.type === "whiteout" || e.type === "opaque") return { path: e.path, type: e.type };
  const seen: Seen = { path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid };
  if (fixedTimes && TOUCHED.includes(`/${e.path}`)) seen.mtime = Math.floor(e.mtimeMs / 1000);
  if (e.type === "file") {
    const hash = createHash("sha256");
    for await (const chunk of e.open()) hash.update(chunk as Buffer);
    seen.content = hash.digest("hex");
  }
  if (e.type === "symlink" || e.type === "hardlink") seen.target = e.target;
  return seen;
}

/** Entries whose time the script sets (the others are made at run time: a second apart at most). */
const TOUCHED = ["/d/a", "/plain", "/e/k", "/r/new", "/n/m/f", "/r", "/n/m", "/n", "/d", "/e"];
const SCRIPT = [
  "echo changed > /d/a", // a modified file with a second link
  "chmod 600 /plain", // metadata only
  "rm /d/sub/b", // a removed file: a whiteout
  "rm -r /d/gone", // a removed directory
  "rm -r /r && mkdir /r && echo new > /r/new", // a replaced directory: opaque
  "ln -sf sub /d/sym", // a changed symlink
  "mkfifo /d/fifo",
  "mkdir -p /n/m && echo n > /n/m/f && ln /n/m/f /n/hl", // new tree with a hardlink
  "chown 1001:1001 /e/k",
  `touch -d @1600000000 ${TOUCHED.join(" ")}`,
].join(" && ");

test("the same RUN diffs to the same entries with overlayfs and with the copying snapshotter", async () => {
  const overlay = await changes(
    fx.spec(sh(SCRIPT), { lowerDirs: [lower, fx.base], snapshotter: "overlay" }),
    true,
  );
  const copy = await changes(fx.spec(sh(SCRIPT), { lowerDirs: [lower, fx.base], snapshotter: "copy" }), true);
  expect(copy).toEqual(overlay);
  // The classes are all there (so the comparison above compared something).
  expect(copy).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: "d/sub/b", type: "whiteout" }),
      expect.objectContaining({ path: "d/gone", type: "whiteout" }),
      expect.objectContaining({ path: "r", type: "opaque" }),
      expect.objectContaining({ path: "plain", type: "file", mode: 0o600 }),
      expect.objectContaining({ path: "n/m/f", type: "hardlink", target: "n/hl" }),
      expect.objectContaining({ path: "d/sym", type: "symlink", target: "sub" }),
      expect.objectContaining({ path: "d/fifo", type: "fifo" }),
      expect.objectContaining({ path: "e/k", uid: 1001, gid: 1001 }),
    ]),
  );
}, 60_000);

test("a RUN that changes nothing leaves nothing with the copying snapshotter, mount stubs included", async () => {
  const spec = fx.spec(["true"], {
    lowerDirs: [lower, fx.base],
    snapshotter: "copy",
    mounts: [{ type: "tmpfs", target: "/made/for/mount" }],
  });
  expect(await changes(spec, false)).toEqual([]);
}, 60_000);

test("RUN in the copy sees its layers and no overlay; a read-write bind never writes its source", async () => {
  const src = fx.layer({ "f.txt": "source\n" });
  const io = captureIO();
  const spec = fx.spec(
    sh("cat /d/a; grep -c ' / overlay ' /proc/mounts; echo x > /mnt/f.txt; cat /mnt/f.txt"),
    {
      lowerDirs: [lower, fx.base],
      snapshotter: "copy",
      mounts: [{ type: "bind", target: "/mnt", source: src, readonly: false }],
    },
  );
  const result = await runStep(spec, io);
  expect(io.out()).toBe("a\n0\nx\n");
  expect(result.exitCode).toBe(0);
  expect(fs.readFileSync(path.join(src, "f.txt"), "utf8")).toBe("source\n");
  // The copy is gone; the lower layer is untouched.
  expect(fs.existsSync(path.join(spec.workDir, "root"))).toBe(false);
  expect(fs.readFileSync(path.join(lower, "d/a"), "utf8")).toBe("a\n");
}, 60_000);

test("an unknown snapshotter is a clear error", async () => {
  await expect(runStep(fx.spec(["true"], { snapshotter: "zfs" }))).rejects.toThrow(
    /snapshotter "zfs" \(TSBUILD_SNAPSHOTTER\): expected auto, overlay, copy/,
  );
});
