import { setAttributeSync } from "@napi-rs/xattr";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { openContentPath, type LayerEntry } from "../../src/image/layer-entry";
import { diffUpperDir } from "../../src/rootfs/diff";
import { runStep } from "../../src/executor/run-step";
import { mountsUnder, SandboxFixture } from "../executor/sandbox-fixture";

let fx: SandboxFixture;
let data: string;
beforeAll(() => {
  fx = new SandboxFixture();
  data = fx.layer({
    "data/keep.txt": "keep\n",
    "data/gone.txt": "gone\n",
    "data/mode.txt": "mode\n",
    "tree/a/1": "1",
    "tree/b/2": "2",
    "deep/a/b/c/file": "f",
    "deep/a/b/c/other": "o",
  });
});
afterEach(() => expect(mountsUnder(fx.dir)).toEqual([]));
afterAll(() => fx.cleanup());

async function collect(dir: string): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  for await (const e of diffUpperDir(dir)) out.push(e);
  return out;
}

async function read(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

async function run(script: string): Promise<LayerEntry[]> {
  const spec = fx.spec(["/bin/sh", "-c", script], { lowerDirs: [data, fx.base] });
  const result = await runStep(spec);
  expect(result.exitCode).toBe(0);
  return collect(spec.upperDir);
}

const summary = (entries: LayerEntry[]): string[] =>
  entries.map((e) => `${e.type} ${e.path}${"target" in e ? ` -> ${e.target}` : ""}`);

describe("diffUpperDir", () => {
  test("a step that changes nothing has no entries (mount points removed)", async () => {
    expect(await run("cat /data/keep.txt >/dev/null; ls /proc /sys /dev >/dev/null")).toEqual([]);
  });

  test("new files, directories, symlinks and hard links, sorted, parents first", async () => {
    const entries = await run(
      "mkdir -p /new/sub && echo hello >/new/sub/b && ln /new/sub/b /new/a-link && ln -s sub/b /new/sym && chmod 640 /new/sub/b && chown 1000:1001 /new/sub/b",
    );
    // siblings in byte order: the first path of the inode in that order is the file
    expect(summary(entries)).toEqual([
      "directory new",
      "file new/a-link",
      "directory new/sub",
      "hardlink new/sub/b -> new/a-link",
      "symlink new/sym -> sub/b",
    ]);
    const file = entries.find((e) => e.path === "new/a-link");
    if (file?.type !== "file") throw new Error("expected a file");
    expect([file.mode, file.uid, file.gid, file.size]).toEqual([0o640, 1000, 1001, 6]);
    expect(await read(file.open())).toBe("hello\n");
  });

  test("file entries name their upper-dir file, so the layer writer reads it without a stream", async () => {
    const spec = fx.spec(["/bin/sh", "-c", "echo direct >/d.txt"], { lowerDirs: [data, fx.base] });
    expect((await runStep(spec)).exitCode).toBe(0);
    const d = (await collect(spec.upperDir)).find((e) => e.path === "d.txt");
    if (d?.type !== "file") throw new Error("expected a file");
    expect(d.contentPath).toBe(path.join(spec.upperDir, "d.txt"));
    expect(d.open).toBe(openContentPath); // one function for every entry, not a closure each
    expect(fs.readFileSync(path.join(spec.upperDir, "d.txt"), "utf8")).toBe("direct\n");
  });

  test("deleting lower files gives whiteouts; chmod copies the file up with its content", async () => {
    const entries = await run("rm /data/gone.txt && chmod 600 /data/mode.txt && rm /deep/a/b/c/file");
    expect(summary(entries)).toEqual([
      "directory data",
      "whiteout data/gone.txt",
      "file data/mode.txt",
      "directory deep",
      "directory deep/a",
      "directory deep/a/b",
      "directory deep/a/b/c",
      "whiteout deep/a/b/c/file",
    ]);
    const mode = entries.find((e) => e.path === "data/mode.txt");
    if (mode?.type !== "file") throw new Error("expected a file");
    expect(mode.mode).toBe(0o600);
    expect(await read(mode.open())).toBe("mode\n");
    // no overlayfs bookkeeping leaks into the entries
    for (const e of entries) if ("xattrs" in e && e.xattrs) expect(Object.keys(e.xattrs)).toEqual([]);
  });

  test("rm -rf dir && mkdir dir gives an opaque directory", async () => {
    const entries = await run("rm -rf /tree && mkdir /tree && echo new >/tree/n");
    expect(summary(entries)).toEqual(["directory tree", "opaque tree", "file tree/n"]);
  });

  test("deleting a whole lower tree is one whiteout", async () => {
    expect(summary(await run("rm -rf /deep"))).toEqual(["whiteout deep"]);
  });

  test("xattrs are read from the entry itself, overlayfs's own skipped", async () => {
    const spec = fx.spec(["/bin/sh", "-c", "echo x >/f && ln -s /nowhere /dangling"], {
      lowerDirs: [data, fx.base],
    });
    await runStep(spec);
    setAttributeSync(path.join(spec.upperDir, "f"), "user.note", "hi");
    setAttributeSync(path.join(spec.upperDir, "f"), "trusted.overlay.origin", "x");
    const entries = await collect(spec.upperDir);
    const f = entries.find((e) => e.path === "f");
    expect(f !== undefined && "xattrs" in f ? f.xattrs : undefined).toEqual({
      "user.note": Buffer.from("hi"),
    });
    const link = entries.find((e) => e.path === "dangling");
    expect(link).toMatchObject({ type: "symlink", target: "/nowhere" });
  });

  test("fifos and device nodes keep their numbers", async () => {
    const upper = fx.layer();
    fs.mkdirSync(path.join(upper, "dev"));
    const { execFileSync } = await import("node:child_process");
    execFileSync("mknod", [path.join(upper, "dev/null2"), "c", "1", "3"]);
    execFileSync("mknod", [path.join(upper, "dev/big"), "b", "259", "300"]);
    execFileSync("mkfifo", [path.join(upper, "dev/pipe")]);
    const entries = await collect(upper);
    expect(
      entries.map((e) => ("devmajor" in e ? `${e.type} ${e.path} ${e.devmajor}:${e.devminor}` : e.path)),
    ).toEqual(["dev", "block-device dev/big 259:300", "char-device dev/null2 1:3", "fifo dev/pipe 0:0"]);
  });
});
