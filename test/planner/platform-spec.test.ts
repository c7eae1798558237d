import { normalizePlatformList, normalizePlatformSpec } from "../../src/planner/platform-spec";
import { formatPlatform, parsePlatforms } from "../../src/planner/platform";
import { hostPlatform } from "../../src/image/platform";

/** containerd's platforms.Parse + Normalize, case by case (its parse_test.go table, in part). */
describe("platform specifiers", () => {
  test.each([
    ["linux/amd64", "linux/amd64"],
    ["Linux/AMD64", "linux/amd64"],
    ["x86_64", "linux/amd64"],
    ["linux/x86-64", "linux/amd64"],
    ["linux/amd64/v1", "linux/amd64"],
    ["linux/amd64/v3", "linux/amd64/v3"],
    ["arm64", "linux/arm64"],
    ["aarch64", "linux/arm64"],
    ["linux/arm64/v8", "linux/arm64"],
    ["linux/aarch64/8", "linux/arm64"],
    ["linux/arm64/v9.0", "linux/arm64/v9"],
    ["linux/arm", "linux/arm/v7"],
    ["linux/arm/7", "linux/arm/v7"],
    ["linux/arm/v6", "linux/arm/v6"],
    ["linux/arm/5", "linux/arm/v5"],
    ["armhf", "linux/arm/v7"],
    ["armel", "linux/arm/v6"],
    ["i386", "linux/386"],
    ["macos/arm64", "darwin/arm64"],
    ["windows/amd64", "windows/amd64"],
    ["linux/s390x", "linux/s390x"],
    [" linux/riscv64 ", "linux/riscv64"],
  ])("%j → %s", (spec, want) => {
    expect(formatPlatform(normalizePlatformSpec(spec))).toBe(want);
  });

  test("a bare OS means the host's architecture", () => {
    expect(normalizePlatformSpec("linux").architecture).toBe(hostPlatform().architecture);
  });

  test.each([
    ["linux/amd6", /"amd6" is not a known architecture/],
    ["linux/arm64x", /"arm64x" is not a known architecture/],
    ["lnux/amd64", /"lnux" is not a known operating system/],
    ["amd6", /"amd6" is not a known operating system or architecture/],
    ["", /expected os\[\/arch\[\/variant\]\]/],
    ["linux/amd64/v2/x", /expected os/],
    ["linux/a b", /expected os/],
    ["linux//amd64", /expected os/],
  ])("%j is refused", (spec, message) => {
    expect(() => normalizePlatformSpec(spec)).toThrow(message);
  });

  test("lists: comma-separated or arrays, normalised and deduplicated in order", () => {
    expect(normalizePlatformList("linux/arm64,amd64,aarch64").map(formatPlatform)).toEqual([
      "linux/arm64",
      "linux/amd64",
    ]);
    expect(
      normalizePlatformList(["linux/arm", "linux/arm/v7", "linux/amd64,linux/386"]).map(formatPlatform),
    ).toEqual(["linux/arm/v7", "linux/amd64", "linux/386"]);
  });

  test("a bad entry in a list is a usage error naming that entry", () => {
    expect(() => parsePlatforms("linux/amd64,linux/amd6")).toThrow(
      expect.objectContaining({
        code: "USAGE",
        message: '--platform: invalid platform "linux/amd6": "amd6" is not a known architecture',
      }),
    );
    expect(() => parsePlatforms("linux/amd64,")).toThrow(/--platform: invalid platform "": expected/);
  });
});
