import { resolveSourceDateEpoch } from "../../src/engine/source-date-epoch";

describe("resolveSourceDateEpoch", () => {
  it("takes the option, then the build arg, then the Dockerfile's default", () => {
    expect(resolveSourceDateEpoch(5, "6", "7")).toBe(5);
    expect(resolveSourceDateEpoch(undefined, "6", "7")).toBe(6);
    expect(resolveSourceDateEpoch(undefined, undefined, "7")).toBe(7);
    expect(resolveSourceDateEpoch(undefined, "", "7")).toBe(7);
    expect(resolveSourceDateEpoch(undefined, undefined, undefined)).toBeUndefined();
    expect(resolveSourceDateEpoch(undefined, undefined, "")).toBeUndefined();
  });

  it("rejects a value that is not whole seconds with BuildKit's wording", () => {
    expect(() => resolveSourceDateEpoch(undefined, undefined, "not-a-timestamp")).toThrow(
      "invalid SOURCE_DATE_EPOCH: not-a-timestamp",
    );
    expect(() => resolveSourceDateEpoch(undefined, "1.5", undefined)).toThrow(
      "invalid SOURCE_DATE_EPOCH: 1.5",
    );
    // A valid build arg wins over an invalid default, as in BuildKit.
    expect(resolveSourceDateEpoch(undefined, "10", "bad")).toBe(10);
  });
});
