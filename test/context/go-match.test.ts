import { BadPatternError, goMatch, hasWildcard } from "../../src/context/go-match";
import { cleanPath } from "../../src/context/go-path";

// Go's path/filepath match_test.go vectors: [pattern, name, match, badPattern].
const vectors: Array<[string, string, boolean, boolean?]> = [
  ["abc", "abc", true],
  ["*", "abc", true],
  ["*c", "abc", true],
  ["a*", "a", true],
  ["a*", "abc", true],
  ["a*", "ab/c", false],
  ["a*/b", "abc/b", true],
  ["a*/b", "a/c/b", false],
  ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
  ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
  ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false],
  ["a*b*c*d*e*/f", "axbxcxdxexxx/fff", false],
  ["a*b?c*x", "abxbbxdbxebxczzx", true],
  ["a*b?c*x", "abxbbxdbxebxczzy", false],
  ["ab[c]", "abc", true],
  ["ab[b-d]", "abc", true],
  ["ab[e-g]", "abc", false],
  ["ab[^c]", "abc", false],
  ["ab[^b-d]", "abc", false],
  ["ab[^e-g]", "abc", true],
  ["a\\*b", "a*b", true],
  ["a\\*b", "ab", false],
  ["a?b", "a☺b", true],
  ["a[^a]b", "a☺b", true],
  ["a???b", "a☺b", false],
  ["a[^a][^a][^a]b", "a☺b", false],
  ["[a-ζ]*", "α", true],
  ["*[a-ζ]", "A", false],
  ["a?b", "a/b", false],
  ["a*b", "a/b", false],
  ["[\\]a]", "]", true],
  ["[\\-]", "-", true],
  ["[x\\-]", "x", true],
  ["[x\\-]", "-", true],
  ["[x\\-]", "z", false],
  ["[\\-x]", "x", true],
  ["[\\-x]", "-", true],
  ["[\\-x]", "a", false],
  ["[]a]", "]", false, true],
  ["[-]", "-", false, true],
  ["[x-]", "x", false, true],
  ["[x-]", "-", false, true],
  ["[x-]", "z", false, true],
  ["[-x]", "x", false, true],
  ["[-x]", "-", false, true],
  ["[-x]", "a", false, true],
  ["\\", "a", false, true],
  ["[a-b-c]", "a", false, true],
  ["[", "a", false, true],
  ["[^", "a", false, true],
  ["[^bc", "a", false, true],
  ["a[", "a", false, true],
  ["a[", "ab", false, true],
  ["a[", "x", false, true],
  ["a/b[", "x", false, true],
  ["*x", "xxx", true],
];

describe("goMatch (Go filepath.Match)", () => {
  // Every row gets all four values: with fewer, jest passes a done callback in their place.
  const rows = vectors.map(([p, n, m, bad]) => [p, n, m, bad === true] as const);
  test.each(rows)("Match(%j, %j) = %j (bad pattern: %j)", (pattern, name, want, bad) => {
    if (bad) expect(() => goMatch(pattern, name)).toThrow(BadPatternError);
    else expect(goMatch(pattern, name)).toBe(want);
  });

  test("hasWildcard honours backslash escapes like BuildKit's containsWildcards", () => {
    expect(hasWildcard("*.go")).toBe(true);
    expect(hasWildcard("a?")).toBe(true);
    expect(hasWildcard("[ab]")).toBe(true);
    expect(hasWildcard("plain.txt")).toBe(false);
    expect(hasWildcard("a\\*b")).toBe(false);
  });
});

describe("cleanPath (Go path.Clean)", () => {
  test.each([
    ["", "."],
    [".", "."],
    ["./a/", "a"],
    ["a//b/./c/..", "a/b"],
    ["/../a", "/a"],
    ["../a", "../a"],
    ["a/../..", ".."],
    ["/", "/"],
    ["!./x", "!./x"],
  ])("Clean(%j) = %j", (input, want) => {
    expect(cleanPath(input)).toBe(want);
  });
});
