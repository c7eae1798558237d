/**
 * Hand-made malicious layers: each must be refused or contained inside the target, and the
 * sandbox around the target (a canary directory with a passwd file, a sibling file) must be
 * byte-for-byte, mode-for-mode, mtime-for-mtime unchanged afterwards.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { applyLayer } from "../../../src/rootfs/unpack/apply-layer";
import type { ApplyOptions } from "../../../src/rootfs/unpack/options";
import { isRoot, makeSandbox, makeTar, tarStreamOf } from "./support";
import type { FakeEntry, Sandbox } from "./support";

let box: Sandbox;
let before: string[];
beforeEach(async () => {
  box = await makeSandbox();
  before = await box.outside();
});
afterEach(async () => {
  try {
    expect(await box.outside()).toEqual(before);
    expect((await fsp.stat(path.join(box.canary, "passwd"))).nlink).toBe(1);
  } finally {
    await box.remove();
  }
});

const t = (p: string): string => path.join(box.target, p);
const apply = async (entries: FakeEntry[], opts?: ApplyOptions) =>
  applyLayer(await tarStreamOf(entries), box.target, opts);
const refused = async (entries: FakeEntry[], code: string, opts?: ApplyOptions) =>
  expect(apply(entries, opts)).rejects.toMatchObject({ code });

describe("applyLayer refuses or contains escapes", () => {
  it("1. refuses an entry climbing out with ../", async () => {
    await refused([{ name: "../sibling", body: "pwned" }], "UNPACK_PATH_ESCAPE");
    await refused([{ name: "ok/../../canary/passwd", body: "pwned" }], "UNPACK_PATH_ESCAPE");
  });

  it("2. contains an absolute entry name under the target", async () => {
    const abs = path.join(box.canary, "passwd");
    await apply([{ name: abs, body: "contained" }]);
    expect(await fsp.readFile(t(abs), "utf8")).toBe("contained");
  });

  it("3. writes through an absolute symlink planted earlier in the same layer only inside the root", async () => {
    await apply([
      { name: "a", type: "symlink", linkname: box.canary },
      { name: "a/passwd", body: "contained" },
    ]);
    expect(await fsp.readlink(t("a"))).toBe(box.canary);
    expect(await fsp.readFile(t(path.join(box.canary, "passwd")), "utf8")).toBe("contained");
  });

  it("4. clamps a relative symlink climbing out (a -> ../../..) at the root", async () => {
    await apply([
      { name: "deep/er/", type: "directory" },
      { name: "deep/er/a", type: "symlink", linkname: "../../../../../.." },
      { name: "deep/er/a/canary/passwd", body: "contained" },
      { name: "deep/er/a/sibling", body: "contained" },
    ]);
    expect(await fsp.readFile(t("canary/passwd"), "utf8")).toBe("contained");
    expect(await fsp.readFile(t("sibling"), "utf8")).toBe("contained");
  });

  it("5. does not follow a symlink left by an earlier layer out of the root", async () => {
    await apply([{ name: "evil", type: "symlink", linkname: "../canary" }]);
    await apply([
      { name: "evil/passwd", body: "contained" },
      { name: "evil/sub/keep", body: "contained" },
    ]);
    expect(await fsp.readFile(t("canary/passwd"), "utf8")).toBe("contained");
    expect(await fsp.readFile(t("canary/sub/keep"), "utf8")).toBe("contained");
  });

  it("6. resolves a chain of symlinks (relative, absolute, dotdot) inside the root", async () => {
    await apply([
      { name: "l1", type: "symlink", linkname: "x/../l2" },
      { name: "l2", type: "symlink", linkname: "/l3" },
      { name: "l3", type: "symlink", linkname: "../.." + box.dir },
      { name: "l1/canary/sub/keep", body: "contained" },
    ]);
    expect(await fsp.readFile(t(path.join(box.dir, "canary/sub/keep")), "utf8")).toBe("contained");
  });

  it("7. refuses a symlink loop instead of spinning", async () => {
    await refused(
      [
        { name: "a", type: "symlink", linkname: "b" },
        { name: "b", type: "symlink", linkname: "a" },
        { name: "a/x", body: "x" },
      ],
      "ROOTFS_SYMLINK_LOOP",
    );
  });

  it("8. replaces a planted final-component symlink instead of writing through it", async () => {
    await apply([
      { name: "f", type: "symlink", linkname: path.join(box.canary, "passwd") },
      { name: "f", body: "replaced" },
      { name: "d", type: "symlink", linkname: box.canary },
      { name: "d", type: "directory", mode: 0o700 },
    ]);
    expect((await fsp.lstat(t("f"))).isFile()).toBe(true);
    expect((await fsp.lstat(t("d"))).isDirectory()).toBe(true);
  });

  it("9. refuses hard links to targets outside the root (absolute, ../)", async () => {
    await refused(
      [{ name: "h", type: "link", linkname: path.join(box.canary, "passwd") }],
      "UNPACK_BAD_HARDLINK",
    );
    await refused([{ name: "h", type: "link", linkname: "../canary/passwd" }], "UNPACK_PATH_ESCAPE");
    await refused([{ name: "h", type: "link", linkname: "/etc/passwd" }], "UNPACK_BAD_HARDLINK");
  });

  it("10. refuses a hard link through a symlinked directory pointing outside", async () => {
    await refused(
      [
        { name: "d", type: "symlink", linkname: box.canary },
        { name: "h", type: "link", linkname: "d/passwd" },
      ],
      "UNPACK_BAD_HARDLINK",
    );
    await refused(
      [
        { name: "r", type: "symlink", linkname: "../canary" },
        { name: "h2", type: "link", linkname: "r/passwd" },
      ],
      "UNPACK_BAD_HARDLINK",
    );
  });

  it("11. hard-links a symlink itself, never what it points at", async () => {
    await apply([
      { name: "s", type: "symlink", linkname: path.join(box.canary, "passwd") },
      { name: "h", type: "link", linkname: "s" },
      { name: "h", body: "replaces the link, not the canary" },
    ]);
    expect(await fsp.readFile(t("h"), "utf8")).toBe("replaces the link, not the canary");
  });

  it("12. does not create device nodes by default, and refuses them when asked", async () => {
    await apply([{ name: "dev/sda", type: "block-device", devmajor: 8, devminor: 0 }]);
    await expect(fsp.lstat(t("dev/sda"))).rejects.toThrow(/ENOENT/);
    await refused(
      [{ name: "dev/mem", type: "character-device", devmajor: 1, devminor: 1 }],
      "UNPACK_DEVICE_REFUSED",
      { devices: "refuse" },
    );
    await refused(
      [{ name: "../evil-dev", type: "character-device", devmajor: 1, devminor: 1 }],
      "UNPACK_PATH_ESCAPE",
      { devices: "create" },
    );
  });

  it("13. refuses a whiteout aimed outside with ../", async () => {
    await refused([{ name: "../.wh.canary", body: "" }], "UNPACK_PATH_ESCAPE");
    await refused([{ name: "../canary/.wh.passwd", body: "" }], "UNPACK_PATH_ESCAPE");
  });

  it("14. applies a whiteout under a symlink to outside only inside the root", async () => {
    await apply([
      { name: "a", type: "symlink", linkname: box.dir },
      { name: "b", type: "symlink", linkname: "../canary" },
    ]);
    await fsp.mkdir(t("canary"));
    await fsp.writeFile(t("canary/passwd"), "inside");
    await apply([
      { name: "a/.wh.canary", body: "" },
      { name: "b/.wh.passwd", body: "" },
      { name: "b/.wh.sub", body: "" },
    ]);
    await expect(fsp.lstat(t("canary/passwd"))).rejects.toThrow(/ENOENT/);
  });

  it("15. clears an opaque directory behind a symlink only inside the root", async () => {
    await fsp.mkdir(t("canary/sub"), { recursive: true });
    await fsp.writeFile(t("canary/passwd"), "inside");
    await apply([
      { name: "a", type: "symlink", linkname: box.canary },
      { name: "b", type: "symlink", linkname: "../../canary" },
      { name: "a/.wh..wh..opq", body: "" },
      { name: "b/.wh..wh..opq", body: "" },
    ]);
    expect(await fsp.readdir(t("canary"))).toEqual([]);
  });

  it("16. materializes overlay whiteouts behind symlinks only inside the root (root only)", async () => {
    if (!isRoot) return;
    await apply(
      [
        { name: "a", type: "symlink", linkname: box.canary },
        { name: "a/.wh.passwd", body: "" },
        { name: "a/sub/.wh..wh..opq", body: "" },
      ],
      { whiteoutMode: "overlay" },
    );
    expect((await fsp.lstat(t(path.join(box.canary, "passwd")))).isCharacterDevice()).toBe(true);
  });

  it("17. refuses names with a NUL byte, too-long components and too-long paths", async () => {
    await refused(
      [{ name: "x", body: "", pax: { path: "ok\u0000/../../../sibling" } }],
      "UNPACK_INVALID_NAME",
    );
    await refused([{ name: "n".repeat(256), body: "" }], "UNPACK_INVALID_NAME");
    await refused([{ name: Array(20).fill("d".repeat(250)).join("/"), body: "" }], "UNPACK_INVALID_NAME");
  });

  it("18. refuses an entry of an unknown type", async () => {
    const tar = await makeTar([{ name: "weird", body: "" }]);
    tar[156] = "Z".charCodeAt(0);
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[i];
    tar.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
    await expect(applyLayer(Readable.from([tar]), box.target)).rejects.toMatchObject({
      code: "UNPACK_UNSUPPORTED_TYPE",
      entry: "weird",
    });
  });

  it("19. applies deferred directory metadata only to directories still in place", async () => {
    await apply([
      { name: "d/", type: "directory", mode: 0o700, mtime: new Date(0) },
      { name: "d", type: "symlink", linkname: box.canary },
      { name: "e/", type: "directory", mode: 0o700, mtime: new Date(0) },
      { name: "e", type: "symlink", linkname: "../canary" },
    ]);
    expect(await fsp.readlink(t("d"))).toBe(box.canary);
  });

  it("20. replaces a directory with a symlink and then writes below it inside the root", async () => {
    await apply([
      { name: "a/", type: "directory" },
      { name: "a/x", body: "x" },
    ]);
    await apply([
      { name: "a", type: "symlink", linkname: "../../canary" },
      { name: "a/passwd", body: "contained" },
    ]);
    expect(await fsp.readFile(t("canary/passwd"), "utf8")).toBe("contained");
  });

  it("21. refuses to replace the target root with a non-directory", async () => {
    await refused([{ name: "./", type: "symlink", linkname: box.canary }], "UNPACK_INVALID_NAME");
    await refused([{ name: "/", body: "x" }], "UNPACK_INVALID_NAME");
  });
});
