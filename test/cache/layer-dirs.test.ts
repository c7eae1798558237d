import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LayerDirs } from "../../src/cache/layer-dirs";

const DIFF = `sha256:${"ab".repeat(32)}`;
const BLOB = `sha256:${"cd".repeat(32)}`;

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-layer-dirs-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function sourceDir(file: string): string {
  const dir = fs.mkdtempSync(path.join(root, "upper-"));
  fs.writeFileSync(path.join(dir, file), file);
  return dir;
}

describe("LayerDirs.adopt", () => {
  it("renames the directory into place and records its use; ensure() then unpacks nothing", async () => {
    const dirs = new LayerDirs(path.join(root, "layers"));
    const source = sourceDir("made-by-run");
    expect(await dirs.adopt(DIFF, BLOB, source)).toBe(true);
    expect(fs.existsSync(source)).toBe(false);
    expect(fs.readdirSync(dirs.path(DIFF))).toEqual(["made-by-run"]);
    const unpack = jest.fn(async () => {});
    expect(await dirs.ensure(DIFF, BLOB, unpack)).toBe(dirs.path(DIFF));
    expect(unpack).not.toHaveBeenCalled();
    const [entry] = await dirs.list();
    expect(entry).toMatchObject({ diffId: DIFF, blobs: [BLOB] });
  });

  it("keeps a directory that is there already and leaves the source alone", async () => {
    const dirs = new LayerDirs(path.join(root, "layers"));
    await dirs.ensure(DIFF, BLOB, async (tmp) => fs.writeFileSync(path.join(tmp, "unpacked"), ""));
    const source = sourceDir("made-by-run");
    expect(await dirs.adopt(DIFF, BLOB, source)).toBe(false);
    expect(fs.readdirSync(dirs.path(DIFF))).toEqual(["unpacked"]);
    expect(fs.readdirSync(source)).toEqual(["made-by-run"]);
  });

  it("declines a source on another file system (rename gives EXDEV) and leaves it alone", async () => {
    if (!fs.existsSync("/dev/shm") || fs.statSync("/dev/shm").dev === fs.statSync(root).dev) return;
    const dirs = new LayerDirs(path.join(root, "layers"));
    const source = fs.mkdtempSync(path.join("/dev/shm", "tsbuild-upper-"));
    try {
      fs.writeFileSync(path.join(source, "f"), "");
      expect(await dirs.adopt(DIFF, BLOB, source)).toBe(false);
      expect(fs.readdirSync(source)).toEqual(["f"]);
      expect(fs.existsSync(dirs.path(DIFF))).toBe(false);
    } finally {
      fs.rmSync(source, { recursive: true, force: true });
    }
  });
});
