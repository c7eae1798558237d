import { formatGoDuration, parseGoDuration } from "../../../src/parser/duration";

describe("Go durations", () => {
  test.each([
    ["0", 0],
    ["30s", 30e9],
    ["1m30s", 90e9],
    ["1.5h", 5400e9],
    ["500ms", 500e6],
    ["10us", 10e3],
    ["10µs", 10e3],
    ["7ns", 7],
    [".5s", 500e6],
    ["1h2m3s4ms", 3723004e6],
    ["-2s", -2e9],
  ])("%s", (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });

  test.each(["", "5", "5x", "s", ".s", "1.2.3s", "1m 30s", "+"])("invalid: %j", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  test.each([
    [0, "0s"],
    [1e6, "1ms"],
    [90e9, "1m30s"],
    [3600e9, "1h0m0s"],
    [1500, "1.5µs"],
  ])("format %d", (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });
});
