import { UsageError } from "../../src/errors";
import { formatSize, parseDuration, parseSize } from "../../src/cache/units";

describe("parseSize", () => {
  test.each([
    ["123", 123],
    ["0", 0],
    ["10b", 10],
    ["1k", 1024],
    ["5GB", 5 * 1024 ** 3],
    ["5gib", 5 * 1024 ** 3],
    ["500MB", 500 * 1024 ** 2],
    ["1.5g", Math.floor(1.5 * 1024 ** 3)],
    [" 2 TB ", 2 * 1024 ** 4],
  ])("%s → %d bytes", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  test.each(["", "GB", "-1GB", "5XB", "1e9", "5 G B"])("%j is a UsageError", (text) => {
    expect(() => parseSize(text)).toThrow(UsageError);
  });
});

describe("parseDuration", () => {
  test.each([
    ["24h", 86_400_000],
    ["90m", 5_400_000],
    ["1h30m", 5_400_000],
    ["45s", 45_000],
    ["500ms", 500],
    ["7d", 604_800_000],
    ["1.5h", 5_400_000],
  ])("%s → %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(["", "24", "h", "1x", "1h 30m", "-1h"])("%j is a UsageError", (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});

test("formatSize", () => {
  expect(formatSize(999)).toBe("999B");
  expect(formatSize(1500)).toBe("1.50kB");
  expect(formatSize(5_000_000_000)).toBe("5.00GB");
  expect(formatSize(123_400_000)).toBe("123.4MB");
});
