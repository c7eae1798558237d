import * as fs from "node:fs";
import * as path from "node:path";
import { RootfsError } from "../../src/rootfs/errors";
import { LayerView } from "../../src/rootfs/layer-view";
import { TempDirs, writeTree } from "../copy/support";

const tmp = new TempDirs();
afterAll(() => tmp.cleanup());

async function read(view: LayerView, p: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of view.open(p)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

/** lower: base files; upper: deletes, replaces, an opaque dir. */
function stack(): LayerView {
  const root = tmp.make();
  const lower = writeTree(path.join(root, "lower"), {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
    "etc/hosts": "lower hosts",
    "etc/gone": "deleted above",
    "opq/old": "hidden by opaque",
    "opq/sub/deep": "hidden too",
    "dir-then-file/x": "hidden: its directory became a file",
    "usr/bin/tool": { file: "#!tool", mode: 0o755 },
    bin: { symlink: "usr/bin" },
  });
  const upper = writeTree(path.join(root, "upper"), {
    "etc/hosts": "upper hosts",
    "etc/gone": { whiteout: true },
    "etc/new": "new file",
    opq: { dir: true, opaque: true },
    "opq/kept": "upper content stays",
    "dir-then-file": "now a file",
  });
  return new LayerView([upper, lower]);
}

describe("LayerView merging", () => {
  test("an upper file shadows the lower one; lower-only files show through", async () => {
    const view = stack();
    expect(await read(view, "/etc/hosts")).toBe("upper hosts");
    expect(await read(view, "etc/passwd")).toContain("root:x:0:0");
  });

  test("a 0/0 character device whites out the lower entry and is not listed itself", () => {
    const view = stack();
    expect(view.exists("/etc/gone")).toBe(false);
    expect(view.readdir("/etc")).toEqual(["hosts", "new", "passwd"]);
  });

  test("an opaque directory hides everything below it in lower layers", () => {
    const view = stack();
    expect(view.readdir("/opq")).toEqual(["kept"]);
    expect(view.exists("/opq/old")).toBe(false);
    expect(view.exists("/opq/sub/deep")).toBe(false);
  });

  test("an upper non-directory hides a lower directory and its contents", () => {
    const view = stack();
    expect(view.lstat("/dir-then-file")?.type).toBe("file");
    expect(() => view.stat("/dir-then-file/x")).toThrow(RootfsError);
  });

  test("walk lists the merged tree depth first in byte order", () => {
    const view = stack();
    const paths = [...view.walk("/")].map((e) => e.path);
    expect(paths).toEqual([
      ".",
      "bin",
      "dir-then-file",
      "etc",
      "etc/hosts",
      "etc/new",
      "etc/passwd",
      "opq",
      "opq/kept",
      "usr",
      "usr/bin",
      "usr/bin/tool",
    ]);
    const bin = [...view.walk("/")].find((e) => e.path === "bin");
    expect(bin?.linkTarget).toBe("usr/bin");
  });
});

describe("LayerView symlinks stay inside the root", () => {
  test("a relative symlink in the parents is followed; lstat keeps the final link", () => {
    const view = stack();
    expect(view.stat("/bin/tool")?.type).toBe("file");
    expect(view.resolve("/bin/tool").path).toBe("usr/bin/tool");
    expect(view.lstat("/bin")?.type).toBe("symlink");
    expect(view.readlink("/bin")).toBe("usr/bin");
    expect(view.isDirectory("/bin")).toBe(true);
  });

  test("an absolute target resolves against the view's root, never the host", async () => {
    const root = tmp.make();
    const layer = writeTree(path.join(root, "l"), {
      "etc/passwd": "view passwd",
      abs: { symlink: "/etc/passwd" },
      climb: { symlink: "../../../../../../etc/passwd" },
      "dir-link": { symlink: "/etc" },
    });
    const view = new LayerView([layer]);
    expect(await read(view, "/abs")).toBe("view passwd");
    expect(await read(view, "/climb")).toBe("view passwd");
    expect(view.resolve("/dir-link/passwd").path).toBe("etc/passwd");
    expect(view.resolve("/../../etc/passwd").path).toBe("etc/passwd");
  });

  test("a host symlink inside a layer is never traversed by host path", async () => {
    const root = tmp.make();
    const outside = writeTree(path.join(root, "outside"), { secret: "host secret" });
    const layer = writeTree(path.join(root, "l"), { escape: { symlink: outside }, "etc/x": "" });
    const view = new LayerView([layer]);
    // The absolute host path is taken as a path inside the view, where it does not exist.
    expect(view.exists("/escape/secret")).toBe(false);
    expect(view.resolve("/escape/secret").path).toBe(`${outside.slice(1)}/secret`);
  });

  test("a symlink loop is a typed error", () => {
    const root = tmp.make();
    const layer = writeTree(path.join(root, "l"), { a: { symlink: "b" }, b: { symlink: "a" } });
    const view = new LayerView([layer]);
    expect(() => view.stat("/a")).toThrow(expect.objectContaining({ code: "ROOTFS_SYMLINK_LOOP" }));
  });

  test("a missing tail resolves lexically and reports no entry", () => {
    const view = stack();
    expect(view.resolve("/bin/missing/x")).toEqual({ path: "usr/bin/missing/x", stat: undefined });
  });

  test("an empty stack is an empty root (FROM scratch)", () => {
    const view = new LayerView([]);
    expect(view.readdir("/")).toEqual([]);
    expect(view.isDirectory("/")).toBe(true);
    expect(view.exists("/etc/passwd")).toBe(false);
  });

  test("open refuses a directory", () => {
    const view = stack();
    expect(() => view.open("/etc")).toThrow(RootfsError);
    expect(fs.existsSync(view.layers[0])).toBe(true);
  });
});
