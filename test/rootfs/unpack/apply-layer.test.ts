import { createReadStream, promises as fsp } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { getAttribute, listAttributes } from "@napi-rs/xattr";
import { execFileSync } from "node:child_process";
import { applyLayer } from "../../../src/rootfs/unpack/apply-layer";
import { UnpackError } from "../../../src/rootfs/unpack/errors";
import type { UnpackWarning } from "../../../src/rootfs/unpack/options";
import { isRoot, listTree, makeSandbox, makeTar, tarStreamOf } from "./support";
import type { Sandbox } from "./support";

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});
afterEach(async () => {
  await box.remove();
});

const t = (p: string): string => path.join(box.target, p);
const mtime = new Date(1_500_000_000_000);

describe("applyLayer: entry kinds", () => {
  it("creates files, directories, symlinks, hardlinks and fifos with modes and mtimes", async () => {
    const stats = await applyLayer(
      await tarStreamOf([
        { name: "etc/", type: "directory", mode: 0o750, mtime },
        { name: "etc/hosts", body: "127.0.0.1 localhost\n", mode: 0o640, mtime },
        { name: "usr/bin/tool", body: "#!/bin/sh\n", mode: 0o4755 },
        { name: "usr/bin/alias", type: "symlink", linkname: "tool" },
        { name: "usr/bin/hard", type: "link", linkname: "usr/bin/tool" },
        { name: "run/pipe", type: "fifo", mode: 0o600 },
        { name: "empty", body: "" },
      ]),
      box.target,
    );
    expect(await fsp.readFile(t("etc/hosts"), "utf8")).toBe("127.0.0.1 localhost\n");
    const hosts = await fsp.stat(t("etc/hosts"));
    expect(hosts.mode & 0o7777).toBe(0o640);
    expect(hosts.mtime.getTime()).toBe(mtime.getTime());
    const etc = await fsp.stat(t("etc"));
    expect(etc.mode & 0o7777).toBe(0o750);
    expect(etc.mtime.getTime()).toBe(mtime.getTime());
    expect((await fsp.stat(t("usr/bin/tool"))).mode & 0o7777).toBe(0o4755);
    expect(await fsp.readlink(t("usr/bin/alias"))).toBe("tool");
    const [a, b] = await Promise.all([fsp.stat(t("usr/bin/tool")), fsp.stat(t("usr/bin/hard"))]);
    expect(b.ino).toBe(a.ino);
    expect(a.nlink).toBe(2);
    expect((await fsp.lstat(t("run/pipe"))).isFIFO()).toBe(true);
    expect((await fsp.stat(t("empty"))).size).toBe(0);
    expect(stats).toMatchObject({
      entries: 7,
      files: 3,
      directories: 1,
      symlinks: 1,
      hardlinks: 1,
      specialFiles: 1,
      bytes: 30,
    });
  });

  it("streams a file larger than the inline limit", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    big.write("end", big.length - 3);
    await applyLayer(await tarStreamOf([{ name: "big.bin", body: big, mode: 0o600 }]), box.target);
    const got = await fsp.readFile(t("big.bin"));
    expect(got.equals(big)).toBe(true);
    expect((await fsp.stat(t("big.bin"))).mode & 0o777).toBe(0o600);
  });

  it("sets the tar's owner when sameOwner (root only)", async () => {
    if (!isRoot) return;
    await applyLayer(
      await tarStreamOf([
        { name: "home/u/", type: "directory", uid: 1000, gid: 1001 },
        { name: "home/u/f", body: "x", uid: 1000, gid: 1001, mode: 0o2755 },
        { name: "home/u/l", type: "symlink", linkname: "f", uid: 1002, gid: 1003 },
      ]),
      box.target,
    );
    const f = await fsp.stat(t("home/u/f"));
    expect([f.uid, f.gid, f.mode & 0o7777]).toEqual([1000, 1001, 0o2755]);
    const d = await fsp.stat(t("home/u"));
    expect([d.uid, d.gid]).toEqual([1000, 1001]);
    const l = await fsp.lstat(t("home/u/l"));
    expect([l.uid, l.gid]).toEqual([1002, 1003]);
  });

  it("keeps the creating user when sameOwner is false, and applies a fixed owner override", async () => {
    await applyLayer(await tarStreamOf([{ name: "f", body: "x", uid: 4242, gid: 4242 }]), box.target, {
      sameOwner: false,
    });
    expect((await fsp.stat(t("f"))).uid).toBe(process.getuid?.());
    if (!isRoot) return;
    await applyLayer(await tarStreamOf([{ name: "g", body: "x", uid: 4242, gid: 4242 }]), box.target, {
      owner: { uid: 7, gid: 8 },
    });
    const g = await fsp.stat(t("g"));
    expect([g.uid, g.gid]).toEqual([7, 8]);
  });

  it("restores user.* xattrs from PAX records", async () => {
    await applyLayer(
      await tarStreamOf([
        {
          name: "f",
          body: "x",
          pax: { "SCHILY.xattr.user.tsbuild": "hello", "SCHILY.xattr.system.ignored": "x" },
        },
      ]),
      box.target,
    );
    expect((await getAttribute(t("f"), "user.tsbuild"))?.toString()).toBe("hello");
    expect(await listAttributes(t("f"))).toEqual(["user.tsbuild"]);
  });

  it("replaces a file with a directory and a directory with a file (legit layer changes)", async () => {
    await applyLayer(
      await tarStreamOf([
        { name: "x", body: "file" },
        { name: "d/", type: "directory" },
        { name: "d/child", body: "c" },
      ]),
      box.target,
    );
    await applyLayer(
      await tarStreamOf([
        { name: "x/", type: "directory" },
        { name: "x/in", body: "in" },
        { name: "d", body: "now a file" },
      ]),
      box.target,
    );
    expect(await fsp.readFile(t("x/in"), "utf8")).toBe("in");
    expect(await fsp.readFile(t("d"), "utf8")).toBe("now a file");
  });

  it("replaces an existing symlink by a directory instead of following it", async () => {
    await applyLayer(
      await tarStreamOf([
        { name: "real/", type: "directory" },
        { name: "link", type: "symlink", linkname: "real" },
      ]),
      box.target,
    );
    await applyLayer(
      await tarStreamOf([
        { name: "link/", type: "directory" },
        { name: "link/f", body: "f" },
      ]),
      box.target,
    );
    expect((await fsp.lstat(t("link"))).isDirectory()).toBe(true);
    expect(await fsp.readdir(t("real"))).toEqual([]);
  });

  it("follows an in-root symlinked parent directory like a chroot would", async () => {
    await applyLayer(
      await tarStreamOf([
        { name: "usr/lib/", type: "directory" },
        { name: "lib", type: "symlink", linkname: "usr/lib" },
        { name: "lib/libc.so", body: "elf" },
      ]),
      box.target,
    );
    expect(await fsp.readFile(t("usr/lib/libc.so"), "utf8")).toBe("elf");
  });

  it("skips device nodes with a warning by default, refuses them on request", async () => {
    const warnings: UnpackWarning[] = [];
    const stats = await applyLayer(
      await tarStreamOf([{ name: "dev/null", type: "character-device", devmajor: 1, devminor: 3 }]),
      box.target,
      {
        onWarning: (w) => warnings.push(w),
      },
    );
    expect(stats.warnings).toBe(1);
    expect(warnings[0]).toMatchObject({ code: "DEVICE_SKIPPED", entry: "dev/null" });
    await expect(fsp.lstat(t("dev/null"))).rejects.toThrow(/ENOENT/);
    await expect(
      applyLayer(
        await tarStreamOf([{ name: "dev/sda", type: "block-device", devmajor: 8, devminor: 0 }]),
        box.target,
        { devices: "refuse" },
      ),
    ).rejects.toMatchObject({ code: "UNPACK_DEVICE_REFUSED", entry: "dev/sda" });
  });

  it("creates device nodes when asked (root only)", async () => {
    if (!isRoot) return;
    await applyLayer(
      await tarStreamOf([
        { name: "dev/null", type: "character-device", devmajor: 1, devminor: 3, mode: 0o666 },
      ]),
      box.target,
      {
        devices: "create",
      },
    );
    const st = await fsp.lstat(t("dev/null"));
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(259); // makedev(1, 3)
  });

  it("rejects a truncated tar with UNPACK_BAD_TAR", async () => {
    const tar = await makeTar([{ name: "f", body: "x".repeat(2000) }]);
    const err = await applyLayer(Readable.from([tar.subarray(0, 1200)]), box.target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnpackError);
    expect(err).toMatchObject({ code: "UNPACK_BAD_TAR" });
  });
});

describe("applyLayer: whiteouts", () => {
  const lower = async (): Promise<void> => {
    await applyLayer(
      await tarStreamOf([
        { name: "etc/", type: "directory" },
        { name: "etc/a", body: "a" },
        { name: "etc/b", body: "b" },
        { name: "etc/sub/", type: "directory" },
        { name: "etc/sub/c", body: "c" },
        { name: "keep", body: "k" },
      ]),
      box.target,
    );
  };

  it("applies .wh.<name> by deleting the lower entry (files and whole directories)", async () => {
    await lower();
    const stats = await applyLayer(
      await tarStreamOf([
        { name: "etc/.wh.a", body: "" },
        { name: "etc/.wh.sub", body: "" },
        { name: "nothere/.wh.x", body: "" },
      ]),
      box.target,
    );
    expect((await fsp.readdir(t("etc"))).sort()).toEqual(["b"]);
    expect(stats.whiteouts).toBe(3);
    await expect(fsp.lstat(t("nothere"))).rejects.toThrow(/ENOENT/);
  });

  it("applies an opaque marker: lower contents go, entries of the same layer stay wherever the marker sits", async () => {
    await lower();
    await applyLayer(
      await tarStreamOf([
        { name: "etc/", type: "directory" },
        { name: "etc/new", body: "n" },
        { name: "etc/sub/", type: "directory" },
        { name: "etc/sub/d", body: "d" },
        { name: "etc/.wh..wh..opq", body: "" },
        { name: "etc/late", body: "l" },
      ]),
      box.target,
    );
    expect(await listTree(t("etc")).then((l) => l.map((s) => s.split(" ")[0]))).toEqual([
      "late",
      "new",
      "sub/",
      "sub/d",
    ]);
    expect(await fsp.readFile(t("keep"), "utf8")).toBe("k");
  });

  it("materializes whiteouts for overlayfs in overlay mode (root only)", async () => {
    if (!isRoot) return;
    await applyLayer(
      await tarStreamOf([
        { name: "etc/.wh..wh..opq", body: "" },
        { name: "etc/.wh.gone", body: "" },
      ]),
      box.target,
      { whiteoutMode: "overlay" },
    );
    const wh = await fsp.lstat(t("etc/gone"));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect((await getAttribute(t("etc"), "trusted.overlay.opaque"))?.toString()).toBe("y");
  });

  it("keeps .wh. names as plain files in none mode", async () => {
    await applyLayer(await tarStreamOf([{ name: ".wh.x", body: "literal" }]), box.target, {
      whiteoutMode: "none",
    });
    expect(await fsp.readFile(t(".wh.x"), "utf8")).toBe("literal");
  });
});

describe("applyLayer: agrees with GNU tar", () => {
  it("produces the same tree as tar -x for a tar made by tar -c", async () => {
    const src = path.join(box.dir, "src");
    await fsp.mkdir(path.join(src, "a/b"), { recursive: true });
    await fsp.writeFile(path.join(src, "a/b/f"), "hello");
    await fsp.chmod(path.join(src, "a/b/f"), 0o751);
    await fsp.symlink("../b", path.join(src, "a/l"));
    await fsp.link(path.join(src, "a/b/f"), path.join(src, "a/hl"));
    await fsp.writeFile(path.join(src, `${"n".repeat(150)}`), "long name");
    const tarFile = path.join(box.dir, "t.tar");
    execFileSync("tar", ["-cf", tarFile, "-C", src, "."]);
    const viaTar = path.join(box.dir, "viatar");
    await fsp.mkdir(viaTar);
    execFileSync("tar", ["-xpf", tarFile, "-C", viaTar]);
    await applyLayer(createReadStream(tarFile), box.target);
    expect(await listTree(box.target)).toEqual(await listTree(viaTar));
  });
});
