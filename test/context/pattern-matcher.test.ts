import { BadPatternError } from "../../src/context/go-match";
import { compileIgnorePattern } from "../../src/context/ignore-pattern";
import { PatternMatcher } from "../../src/context/pattern-matcher";

// moby/patternmatcher's TestMatches table: [pattern, path, MatchesOrParentMatches result].
const vectors: Array<[string, string, boolean]> = [
  ["**", "file", true],
  ["**", "file/", true],
  ["**/", "file", true],
  ["**/", "file/", true],
  ["**", "/", true],
  ["**/", "/", true],
  ["**", "dir/file", true],
  ["**/", "dir/file", true],
  ["**", "dir/file/", true],
  ["**/", "dir/file/", true],
  ["**/**", "dir/file", true],
  ["**/**", "dir/file/", true],
  ["dir/**", "dir/file", true],
  ["dir/**", "dir/file/", true],
  ["dir/**", "dir/dir2/file", true],
  ["dir/**", "dir/dir2/file/", true],
  ["**/dir", "dir", true],
  ["**/dir", "dir/file", true],
  ["**/dir2/*", "dir/dir2/file", true],
  ["**/dir2/*", "dir/dir2/file/", true],
  ["**/dir2/**", "dir/dir2/dir3/file", true],
  ["**/dir2/**", "dir/dir2/dir3/file/", true],
  ["**file", "file", true],
  ["**file", "dir/file", true],
  ["**/file", "dir/file", true],
  ["**file", "dir/dir/file", true],
  ["**/file", "dir/dir/file", true],
  ["**/file*", "dir/dir/file", true],
  ["**/file*", "dir/dir/file.txt", true],
  ["**/file*txt", "dir/dir/file.txt", true],
  ["**/file*.txt", "dir/dir/file.txt", true],
  ["**/file*.txt*", "dir/dir/file.txt", true],
  ["**/**/*.txt", "dir/dir/file.txt", true],
  ["**/**/*.txt2", "dir/dir/file.txt", false],
  ["**/*.txt", "file.txt", true],
  ["**/**/*.txt", "file.txt", true],
  ["a**/*.txt", "a/file.txt", true],
  ["a**/*.txt", "a/dir/file.txt", true],
  ["a**/*.txt", "a/dir/dir/file.txt", true],
  ["a/*.txt", "a/dir/file.txt", false],
  ["a/*.txt", "a/file.txt", true],
  ["a/*.txt**", "a/file.txt", true],
  ["a[b-d]e", "ae", false],
  ["a[b-d]e", "ace", true],
  ["a[b-d]e", "aae", false],
  ["a[^b-d]e", "aze", true],
  [".*", ".foo", true],
  [".*", "foo", false],
  ["abc.def", "abcdef", false],
  ["abc.def", "abc.def", true],
  ["abc.def", "abcZdef", false],
  ["abc?def", "abcZdef", true],
  ["abc?def", "abcdef", false],
  ["a\\\\", "a\\", true],
  ["**/foo/bar", "foo/bar", true],
  ["**/foo/bar", "dir/foo/bar", true],
  ["**/foo/bar", "dir/dir2/foo/bar", true],
  ["abc/**", "abc", false],
  ["abc/**", "abc/def", true],
  ["abc/**", "abc/def/ghi", true],
  ["**/.foo", ".foo", true],
  ["**/.foo", "bar.foo", false],
  ["a(b)c/def", "a(b)c/def", true],
  ["a(b)c/def", "a(b)c/xyz", false],
  ["a.|)$(}+{bc", "a.|)$(}+{bc", true],
  [
    "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
    "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
    true,
  ],
  ["dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true],
];

describe("PatternMatcher (moby/patternmatcher vectors)", () => {
  test.each(vectors)("%j matches %j: %j", (pattern, path, want) => {
    expect(new PatternMatcher([pattern]).match(path, undefined).excluded).toBe(want);
  });
});

describe("PatternMatcher semantics", () => {
  const excluded = (patterns: string[], path: string) =>
    new PatternMatcher(patterns).match(path, undefined).excluded;

  test("the last matching pattern wins", () => {
    expect(excluded(["*.md", "!README.md"], "README.md")).toBe(false);
    expect(excluded(["*.md", "!README.md"], "CHANGES.md")).toBe(true);
    expect(excluded(["!README.md", "*.md"], "README.md")).toBe(true);
  });

  test("a pattern matching a parent directory excludes everything below it", () => {
    expect(excluded(["node_modules"], "node_modules/a/b.js")).toBe(true);
    expect(excluded(["node_modules"], "src/node_modules/x")).toBe(false);
    expect(excluded(["**/node_modules"], "src/node_modules/x")).toBe(true);
  });

  test("`*` stays within one path segment", () => {
    expect(excluded(["*/temp*"], "somedir/temporary.txt")).toBe(true);
    expect(excluded(["*/temp*"], "somedir/sub/temporary.txt")).toBe(false);
    expect(excluded(["*/*/temp*"], "somedir/sub/temporary.txt")).toBe(true);
    expect(excluded(["temp?"], "tempa")).toBe(true);
    expect(excluded(["temp?"], "temp/a")).toBe(false);
  });

  test("`**.txt` (suffix match) reaches any depth, as patternmatcher v0.6 does", () => {
    expect(excluded(["**.txt"], "a/b/c.txt")).toBe(true);
    expect(excluded(["**.txt"], "c.txt")).toBe(true);
    expect(excluded(["**.txt"], "c.txt.bak")).toBe(false);
  });

  test("exceptions re-include below an excluded directory", () => {
    const m = new PatternMatcher(["docs", "!docs/keep.md"]);
    const dir = m.match("docs", undefined);
    expect(dir.excluded).toBe(true);
    expect(m.match("docs/keep.md", dir.results).excluded).toBe(false);
    expect(m.match("docs/other.md", dir.results).excluded).toBe(true);
    expect(m.mayReincludeBelow("docs")).toBe(true);
    expect(m.mayReincludeBelow("src")).toBe(false);
  });

  test("without exceptions nothing is re-included; wildcard exceptions force a descent", () => {
    expect(new PatternMatcher(["docs"]).mayReincludeBelow("docs")).toBe(false);
    expect(new PatternMatcher(["docs", "!**/*.md"]).mayReincludeBelow("docs")).toBe(true);
    // fsutil strips a trailing "/*" or "/**" before its prefix test.
    expect(new PatternMatcher(["docs", "!docs/keep/**"]).mayReincludeBelow("docs/keep")).toBe(true);
  });

  test("parent results are inherited as BuildKit's walk inherits them", () => {
    // `a/b` then `!a`: with MatchesOrParentMatches a/b would be re-included by `!a` (which
    // matches its parent); fsutil's walk passes a's results down and keeps a/b excluded.
    const m = new PatternMatcher(["a/b", "!a"]);
    const a = m.match("a", undefined);
    expect(a.excluded).toBe(false);
    expect(m.match("a/b", a.results).excluded).toBe(true);
    expect(m.match("a/b", undefined).excluded).toBe(false);
  });

  test("malformed patterns and a bare `!` are rejected", () => {
    expect(() => new PatternMatcher(["["])).toThrow(BadPatternError);
    expect(() => new PatternMatcher(["a\\"])).toThrow(BadPatternError);
    expect(() => new PatternMatcher(["!"])).toThrow(BadPatternError);
  });

  test("patterns are cleaned; blank lines are dropped", () => {
    expect(compileIgnorePattern("  ")).toBeUndefined();
    expect(compileIgnorePattern("./a/b/")?.text).toBe("a/b");
    expect(compileIgnorePattern("a/../b")?.text).toBe("b");
    expect(compileIgnorePattern("!x")?.exclusion).toBe(true);
  });

  test("escaped characters match literally", () => {
    expect(excluded(["a\\*b"], "a*b")).toBe(true);
    expect(excluded(["a\\*b"], "axb")).toBe(false);
    expect(excluded(["a\\d"], "ad")).toBe(true);
    expect(excluded(["a\\d"], "a1")).toBe(false);
  });

  test("names with newlines are matched as Go's regexp matches them", () => {
    // Go's `.` does not match "\n", so "**" inside a pattern does not cross one.
    expect(excluded(["a/**/b"], "a/x\ny/b")).toBe(false);
    expect(excluded(["*"], "x\ny")).toBe(true);
  });
});
