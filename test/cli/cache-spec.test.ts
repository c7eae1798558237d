import { parseCacheExport, parseCacheImport } from "../../src/cli/cache-spec";

describe("--cache-to / --cache-from values", () => {
  it("registry with mode, cache mounts (unquoted list, as in the docs) and a size limit", () => {
    expect(
      parseCacheExport(
        "type=registry,ref=127.0.0.1:5000/c:main,mode=max,cache-mounts=npm,apt,cache-mounts-max-size=2GiB",
      ),
    ).toEqual({
      type: "registry",
      ref: "127.0.0.1:5000/c:main",
      mode: "max",
      cacheMounts: ["npm", "apt"],
      cacheMountsMaxSize: 2 * 1024 ** 3,
    });
    expect(parseCacheExport("type=local,dest=/ci/cache")).toEqual({ type: "local", dest: "/ci/cache" });
    expect(parseCacheImport("type=local,src=/ci/cache")).toEqual({ type: "local", src: "/ci/cache" });
    expect(parseCacheImport("type=registry,ref=r/c:main")).toEqual({ type: "registry", ref: "r/c:main" });
  });

  it("refuses what it would otherwise ignore", () => {
    expect(() => parseCacheExport("type=registry,ref=r/c,mode=all")).toThrow(/mode=all is not min or max/);
    expect(() => parseCacheExport("type=registry,ref=r/c,cache-mounts=")).toThrow(/names no mount id/);
    expect(() => parseCacheExport("type=registry,ref=r/c,cache-mounts-max-size=lots")).toThrow(/not a size/);
    expect(() => parseCacheExport("type=registry,ref=r/c,compression=zstd")).toThrow(
      /unknown field "compression"/,
    );
    expect(() => parseCacheImport("type=registry,ref=r/c,mode=max")).toThrow(/unknown field "mode"/);
    expect(() => parseCacheExport("type=registry,ref=r/c,npm")).toThrow(/invalid field "npm"/);
    expect(() => parseCacheExport("type=gha")).toThrow(/type=gha is not supported/);
    expect(() => parseCacheImport("type=local")).toThrow(/needs src=<dir>/);
  });
});
