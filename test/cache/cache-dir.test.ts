import { resolveCacheDir } from "../../src/cache/cache-dir";

describe("resolveCacheDir", () => {
  const home = "/home/u";
  test("--cache-dir wins over everything", () => {
    expect(
      resolveCacheDir({
        cacheDir: "/flag",
        env: { TSBUILD_CACHE_DIR: "/env", XDG_CACHE_HOME: "/xdg" },
        homeDir: home,
      }),
    ).toBe("/flag");
  });
  test("then TSBUILD_CACHE_DIR", () => {
    expect(
      resolveCacheDir({ env: { TSBUILD_CACHE_DIR: "/env", XDG_CACHE_HOME: "/xdg" }, homeDir: home }),
    ).toBe("/env");
  });
  test("then $XDG_CACHE_HOME/tsbuild (absolute only)", () => {
    expect(resolveCacheDir({ env: { XDG_CACHE_HOME: "/xdg" }, homeDir: home })).toBe("/xdg/tsbuild");
    expect(resolveCacheDir({ env: { XDG_CACHE_HOME: "rel" }, homeDir: home })).toBe("/home/u/.cache/tsbuild");
  });
  test("then ~/.cache/tsbuild; empty values count as unset", () => {
    expect(
      resolveCacheDir({ cacheDir: "", env: { TSBUILD_CACHE_DIR: "", XDG_CACHE_HOME: "" }, homeDir: home }),
    ).toBe("/home/u/.cache/tsbuild");
  });
  test("relative --cache-dir is made absolute", () => {
    expect(resolveCacheDir({ cacheDir: "c", env: {} })).toBe(`${process.cwd()}/c`);
  });
});
