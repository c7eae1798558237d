import { setAttributeSync } from "@napi-rs/xattr";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LayeredRootfs } from "../../src/executor/layered-rootfs";

let dir: string;
let top: string;
let mid: string;
let bottom: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-layered-test-"));
  [top, mid, bottom] = ["top", "mid", "bottom"].map((n) => path.join(dir, n));
  const write = (layer: string, rel: string, content: string): void => {
    fs.mkdirSync(path.dirname(path.join(layer, rel)), { recursive: true });
    fs.writeFileSync(path.join(layer, rel), content);
  };
  write(bottom, "etc/passwd", "bottom");
  write(bottom, "etc/group", "bottom-group");
  write(bottom, "opaque/old", "old");
  write(bottom, "gone/file", "x");
  write(bottom, "replaced/file", "x");
  write(mid, "etc/passwd", "mid");
  write(mid, "opaque/new", "new");
  setAttributeSync(path.join(mid, "opaque"), "trusted.overlay.opaque", "y");
  fs.mkdirSync(top);
  execFileSync("mknod", [path.join(top, "gone"), "c", "0", "0"]);
  write(top, "replaced", "now a file");
  fs.mkdirSync(path.join(top, "links"));
  fs.symlinkSync("/etc", path.join(top, "links/abs"));
  fs.symlinkSync("../../../../etc/passwd", path.join(top, "links/up"));
  fs.symlinkSync("loop2", path.join(top, "links/loop1"));
  fs.symlinkSync("loop1", path.join(top, "links/loop2"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const view = (): LayeredRootfs => new LayeredRootfs([top, mid, bottom]);

describe("LayeredRootfs", () => {
  test("the top-most layer providing a file wins; directories merge", () => {
    expect(view().readFile("/etc/passwd")?.toString()).toBe("mid");
    expect(view().readFile("etc/group")?.toString()).toBe("bottom-group");
  });

  test("a whiteout hides the lower entry and everything below it", () => {
    expect(view().lookup("gone")).toBeUndefined();
    expect(view().lookup("gone/file")).toBeUndefined();
  });

  test("an opaque directory hides the lower directory's content", () => {
    expect(view().lookup("opaque/new")).toBeDefined();
    expect(view().lookup("opaque/old")).toBeUndefined();
  });

  test("a non-directory in an upper layer hides a lower directory", () => {
    expect(view().lookup("replaced")?.stats.isFile()).toBe(true);
    expect(view().lookup("replaced/file")).toBeUndefined();
  });

  test("symlinks resolve inside the root, absolute or with too many ..", () => {
    expect(view().resolve("/links/abs/passwd")).toMatchObject({ path: "etc/passwd" });
    expect(view().readFile("/links/up")?.toString()).toBe("mid");
    expect(view().resolve("/links/up", false).path).toBe("links/up");
    expect(view().resolve("/../../x/../links/abs/missing/deeper").path).toBe("etc/missing/deeper");
  });

  test("a symlink loop is a typed error", () => {
    expect(() => view().resolve("/links/loop1")).toThrow(
      expect.objectContaining({ code: "EXECUTOR_SYMLINK_LOOP" }),
    );
  });
});
