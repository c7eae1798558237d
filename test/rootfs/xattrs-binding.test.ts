import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * src/rootfs/xattrs.ts loads the glibc build's package of @napi-rs/xattr directly and falls back
 * to the package's index (which picks musl or another platform's build) when that fails.
 */
type XattrsModule = typeof import("../../src/rootfs/xattrs");

const platformPackage = `@napi-rs/xattr-${process.platform}-${process.arch}-gnu`;
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-xattrs-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  jest.resetModules();
});

/** A virtual mock of an installed package would not replace it for other requirers. */
function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

function roundTrip(xattrs: XattrsModule): string[] {
  const file = path.join(dir, "f");
  fs.writeFileSync(file, "x");
  xattrs.setXattrSync(file, "user.tsbuild", Buffer.from("v1"));
  expect(xattrs.getXattr(file, "user.tsbuild")?.toString()).toBe("v1");
  return xattrs.listXattrs(file);
}

test("the platform package is the binding when it loads", () => {
  jest.isolateModules(() => {
    jest.doMock("@napi-rs/xattr", () => {
      throw new Error("the index must not be needed");
    });
    const xattrs = jest.requireActual<XattrsModule>("../../src/rootfs/xattrs");
    expect(roundTrip(xattrs)).toContain("user.tsbuild");
  });
});

test("falls back to the package index when the platform package cannot be loaded", () => {
  jest.isolateModules(() => {
    // The first load fails (as a missing or broken package would); the index's own load of the
    // same binary, which comes second, gets the real one.
    const loads: string[] = [];
    jest.doMock(
      platformPackage,
      () => {
        loads.push("platform");
        if (loads.length === 1) throw new Error("not loadable here");
        return jest.requireActual<object>(platformPackage);
      },
      { virtual: !installed(platformPackage) },
    );
    jest.doMock("@napi-rs/xattr", () => {
      loads.push("index");
      return jest.requireActual<object>("@napi-rs/xattr");
    });
    const xattrs = jest.requireActual<XattrsModule>("../../src/rootfs/xattrs");
    expect(roundTrip(xattrs)).toContain("user.tsbuild");
    expect(loads.slice(0, 2)).toEqual(["platform", "index"]);
  });
});

test("without any binding, reads see nothing and writes fail with a clear error", () => {
  jest.isolateModules(() => {
    const missing = (): never => {
      throw new Error("missing");
    };
    jest.doMock(platformPackage, missing, { virtual: !installed(platformPackage) });
    jest.doMock("@napi-rs/xattr", missing);
    const xattrs = jest.requireActual<XattrsModule>("../../src/rootfs/xattrs");
    const file = path.join(dir, "f");
    fs.writeFileSync(file, "x");
    expect(xattrs.listXattrs(file)).toEqual([]);
    expect(xattrs.getXattr(file, "user.tsbuild")).toBeUndefined();
    expect(() => xattrs.setXattrSync(file, "user.tsbuild", Buffer.from("v"))).toThrow(/binding missing/);
  });
});
