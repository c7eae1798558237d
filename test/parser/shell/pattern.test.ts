import { processWord } from "../../../src/parser/shell";
import { CodePointString } from "../../../src/parser/shell/code-points";
import {
  ANY,
  compilePattern,
  findMatch,
  matchPrefix,
  PatternSyntaxError,
  reversePatternSource,
  STAR,
} from "../../../src/parser/shell/pattern";
import { expandReplacement } from "../../../src/parser/shell/replacement-template";

const cp = (s: string) => Array.from(s, (c) => c.codePointAt(0) as number);

describe("compilePattern", () => {
  it("reads wildcards, escapes and delimiter escapes like BuildKit", () => {
    expect(compilePattern("*")).toEqual([STAR]);
    expect(compilePattern("?")).toEqual([ANY]);
    expect(compilePattern("\\*")).toEqual(cp("*"));
    expect(compilePattern("(()[]{\\}^$.\\*\\?|\\\\")).toEqual(cp("(()[]{}^$.*?|\\"));
    expect(compilePattern("a\\/b")).toEqual(cp("a/b"));
    expect(compilePattern("😀?")).toEqual([0x1f600, ANY]);
  });

  it.each(["\\", "\\x", "\\\\\\", "a\\b"])("rejects the bad escape in %j", (source) => {
    expect(() => compilePattern(source)).toThrow(PatternSyntaxError);
  });
});

describe("reversePatternSource", () => {
  it.each([
    ["a\\*c", "c\\*a"],
    ["\\\\\\ab", "b\\a\\\\"],
    ["ab\\", "\\ba"],
    ["👽\\🚀🖖", "🖖\\🚀👽"],
    ["\\\\b", "b\\\\"],
  ])("%j → %j", (source, reversed) => {
    expect(reversePatternSource(source)).toBe(reversed);
  });
});

describe("matching", () => {
  const text = (s: string) => new CodePointString(s);

  it("finds the shortest and longest anchored prefix", () => {
    const p = compilePattern("*x*y");
    expect(matchPrefix(p, text("xxyyz"), false)).toBe(3);
    expect(matchPrefix(p, text("xxyyz"), true)).toBe(4);
    expect(matchPrefix(p, text("yyy"), true)).toBe(-1);
    expect(matchPrefix(compilePattern(""), text("abc"), true)).toBe(0);
  });

  it("finds the leftmost, then longest, unanchored match", () => {
    expect(findMatch(compilePattern("b*d"), text("abcdbd!"), 0)).toEqual({ start: 1, end: 6 });
    expect(findMatch(compilePattern("b?"), text("abcb"), 2)).toBeUndefined();
    expect(findMatch(compilePattern("c*"), text("abcb"), 0)).toEqual({ start: 2, end: 4 });
  });

  it("matches code points, not UTF-16 halves", () => {
    expect(processWord("${X#?}|${X%?}", { X: "😀a😀" })).toBe("a😀|😀a");
    expect(processWord("${X/?/-}", { X: "👽🚀" })).toBe("-🚀");
  });

  it("does not let * or ? match a newline (BuildKit's regexp '.' does not)", () => {
    expect(processWord("${X##*}", { X: "a\nb" })).toBe("\nb");
    expect(processWord("${X/?/-}", { X: "\nb" })).toBe("\n-");
    expect(processWord("${X//*/-}", { X: "ab\ncd" })).toBe("-\n-");
  });

  it("replaces every match, empty matches included, the way Go's ReplaceAllString does", () => {
    expect(processWord("${X//$E/-}", { X: "ab", E: "" })).toBe("-a-b-");
    expect(processWord("${X//b*/-}", { X: "abab" })).toBe("a-");
    expect(processWord("${X//a/c}", { X: "ab".repeat(1000) })).toBe("cb".repeat(1000));
    expect(processWord("${X/a/c}", { X: "aaa" })).toBe("caa");
  });

  it("expands $0 and $$ in an all-matches replacement but not in a first-match one", () => {
    // The lexer keeps `\$` raw in a replacement, so Go's template sees `\$0`.
    expect(processWord("${X//o/\\$0}", { X: "foo" })).toBe("f\\o\\o");
    expect(processWord("${X/o/\\$0}", { X: "foo" })).toBe("f\\$0o");
    expect(processWord("${X//o/$R}", { X: "foo", R: "[$$]" })).toBe("f[$][$]");
    expect(processWord("${X//o/$R}", { X: "foo", R: "<$1|${0}|$x>" })).toBe("f<|o|><|o|>");
  });
});

describe("expandReplacement", () => {
  it.each([
    ["plain", "plain"],
    ["$0", "M"],
    ["${0}", "M"],
    ["$00", ""],
    ["$1", ""],
    ["$name", ""],
    ["${name}x", "x"],
    ["$$0", "$0"],
    ["$", "$"],
    ["$-", "$-"],
    ["${0", "${0"],
    ["${}", "${}"],
    ["a${0}b$0", "aMbM"],
    // Go reads the longest name: `$0b` is the (absent) group "0b", not `$0` then "b".
    ["$0b", ""],
  ])("%j → %j", (template, expected) => {
    expect(expandReplacement(template, "M")).toBe(expected);
  });
});
