import {
  MAX_EXPANDED_LENGTH,
  MAX_MATCH_STEPS,
  processWord,
  processWords,
  ShellExpansionError,
} from "../../../src/parser/shell";

/** The ShellExpansionError `fn` throws (fails the test if it throws anything else or nothing). */
function expansionError(fn: () => unknown): ShellExpansionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShellExpansionError);
    return err as ShellExpansionError;
  }
  throw new Error("expected a ShellExpansionError");
}

const half = "x".repeat(MAX_EXPANDED_LENGTH / 2 + 100);

describe("the size of one expanded word is capped", () => {
  it.each([
    ["side by side", "${A}${A}", 4],
    ["in double quotes", 'pre "${A}$A"', 9],
    ["as a modifier's word", "${U:-$A$A}", 7],
    ["as a :+ word", "${A:+$A$A}", 7],
    ["through ${v//p/r}", "${A//x/xx}", 0],
  ])("%s: a located error naming the limit", (_what, word, offset) => {
    const err = expansionError(() => processWord(word, { A: half }));
    expect(err.problem).toBe(
      `expanded value is more than ${MAX_EXPANDED_LENGTH} characters longer than the word as written (the limit on one expanded word)`,
    );
    expect(err.offset).toBe(offset);
    expect(err.offset + err.length).toBeLessThanOrEqual(word.length);
  });

  it("caps word splitting the same way", () => {
    expect(() => processWords("$A $A $A", { A: half })).toThrow(ShellExpansionError);
  });

  it("doubling a variable 40 times stops at the limit, quickly, without a RangeError", () => {
    let value = "x";
    let doublings = 0;
    const started = process.cpuUsage();
    const err = expansionError(() => {
      for (; doublings < 40; doublings++) value = processWord("${a}${a}", { a: value });
    });
    expect(doublings).toBe(20); // 2^20 + 2^20 is the first result over the limit
    expect(err.problem).toContain("the limit on one expanded word");
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(5_000);
  });

  it("lets a long word stay long: the cap is on what expansion adds", () => {
    const body = "y".repeat(3 * MAX_EXPANDED_LENGTH);
    expect(processWord(body + "$A", { A: "z" })).toHaveLength(body.length + 1);
    expect(() => processWord(body + "$A$A$A", { A: half })).toThrow(ShellExpansionError);
  });

  it("the limit is an option", () => {
    expect(processWord("$A", { A: "abcd" }, { maxLength: 4 })).toBe("abcd");
    expect(expansionError(() => processWord("$A$A", { A: "abcde" }, { maxLength: 4 })).problem).toContain(
      "more than 4 characters longer",
    );
    expect(() => processWord("x", {}, { maxLength: 0 })).toThrow(ShellExpansionError);
  });
});

describe("pattern matching work is capped", () => {
  const big = "ab".repeat(200_000);

  it("a variable used as a long pattern fails clearly instead of hanging", () => {
    // CPU time, not wall time: the bound is about work done, and CI machines are loaded.
    const started = process.cpuUsage();
    const err = expansionError(() => processWord("${A//*$B/}", { A: big, B: big }));
    expect(err.problem).toBe(
      `pattern matching in this word needs more than ${MAX_MATCH_STEPS} steps (the limit on one expanded word)`,
    );
    expect(err.offset).toBe(0);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(10_000);
  });

  it.each([
    ["${A#$B}", "*a".repeat(5000) + "c"],
    ["${A%%$B}", "c" + "b*".repeat(5000)],
    ["${A/$B/x}", "*a".repeat(5000) + "c"],
  ])("%s with a long value and pattern fails clearly", (word, B) => {
    // Every `*` of the pattern is a live NFA thread at every character of the value.
    expect(expansionError(() => processWord(word, { A: big, B })).problem).toContain(
      `more than ${MAX_MATCH_STEPS} steps`,
    );
  });

  it("ordinary patterns on long values stay well under the budget", () => {
    const value = "a:b:".repeat(100_000);
    expect(processWord("${V//:/ }", { V: value })).toBe("a b ".repeat(100_000));
    expect(processWord("${V%%:*}", { V: value })).toBe("a");
    expect(processWord("${V##*:}", { V: value })).toBe("");
  });
});
