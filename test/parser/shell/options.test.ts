import { processWord, processWords, ShellExpansionError, type ShellOptions } from "../../../src/parser/shell";

const BACKTICK: ShellOptions = { escapeToken: "`" };

describe("escape token backtick (# escape=`)", () => {
  it.each([
    ["hello`$PWD", "hello$PWD"],
    ["C:\\path\\to", "C:\\path\\to"],
    ['"a`"b"', 'a"b'],
    ['"a\\tb"', "a\\tb"],
    ['"a`tb"', "a`tb"],
    ['"a``b"', "a`b"],
    ["abc`", "abc"],
    ["a``b", "a`b"],
    ["$PWD`\\x", "/home\\x"],
  ])("%s → %s", (input, expected) => {
    expect(processWord(input, { PWD: "/home" }, BACKTICK)).toBe(expected);
  });

  it("keeps a backslash literal while the pattern escape stays a backslash", () => {
    // The lexer leaves `\\*` alone; the pattern reads it as a literal backslash, then `*`.
    expect(processWord("${P%\\\\*}", { P: "C:\\a\\b" }, BACKTICK)).toBe("C:\\a");
  });

  it("splits words on unescaped whitespace only", () => {
    expect(processWords("a` b c\\ d", {}, BACKTICK)).toEqual(["a b", "c\\", "d"]);
  });

  it("does not treat a backslash as an escape with the backtick token", () => {
    expect(processWords("a\\ b", {}, BACKTICK)).toEqual(["a\\", "b"]);
    expect(processWords("a\\ b", {})).toEqual(["a b"]);
  });
});

describe("skipUnsetEnv", () => {
  const env = { FOO: "x" };
  const opts: ShellOptions = { skipUnsetEnv: true };
  it.each([
    ["$FOO-$BAR", "x-$BAR"],
    ["${BAR}", "${BAR}"],
    ["${BAR:-def}", "${BAR:-def}"],
    ["${BAR:-$FOO}", "${BAR:-x}"],
    ["${BAR-$FOO}", "${BAR-x}"],
    ["${BAR#a*}", "${BAR#a*}"],
    ["${BAR%%a*}", "${BAR%%a*}"],
    ["${BAR/a/b}", "${BAR/a/b}"],
    // BuildKit drops the second slash here; tsbuild keeps it so the text means the same.
    ["${BAR//a/b}", "${BAR//a/b}"],
    // An unset variable keeps even an unsupported modifier's text, as in BuildKit.
    ["${BAR:x}", "${BAR:x}"],
    ["${FOO:-d}", "x"],
    ["${FOO//x/y}", "y"],
    ["$1 $@", "$1 $@"],
  ])("%s → %s", (input, expected) => {
    expect(processWord(input, env, opts)).toBe(expected);
  });

  it("still fails on a malformed expansion", () => {
    expect(() => processWord("${BAR", env, opts)).toThrow(ShellExpansionError);
    expect(() => processWord("${FOO:x}", env, opts)).toThrow(ShellExpansionError);
  });
});

describe("rawQuotes, rawEscapes, skipProcessQuotes", () => {
  it("rawQuotes keeps the quotes but still expands and protects their text", () => {
    expect(processWord(`'a $FOO' "c $FOO"`, { FOO: "x" }, { rawQuotes: true })).toBe(`'a $FOO' "c x"`);
    expect(processWords(`'a b' "c $FOO"`, { FOO: "x y" }, { rawQuotes: true })).toEqual(["'a b'", '"c x y"']);
  });

  it("rawEscapes keeps escape characters", () => {
    expect(processWord("a\\ b\\$c", {}, { rawEscapes: true })).toBe("a\\ b\\$c");
    expect(processWord('"a\\"b\\$c"', {}, { rawEscapes: true })).toBe('a\\"b\\$c');
    expect(processWord("abc\\", {}, { rawEscapes: true })).toBe("abc\\");
  });

  it("rawEscapes doubles a backslash before an ordinary character in double quotes, as BuildKit does", () => {
    expect(processWord('"a\\tb"', {}, { rawEscapes: true })).toBe("a\\\\tb");
  });

  it("a default value's escapes are processed even with rawEscapes", () => {
    expect(processWord("${X:-\\$}", {}, { rawEscapes: true })).toBe("$");
  });

  it("skipProcessQuotes treats quotes as text", () => {
    expect(processWord(`'a' "$FOO" 'b`, { FOO: "x" }, { skipProcessQuotes: true })).toBe(`'a' "x" 'b`);
    expect(processWords(`'a b'`, {}, { skipProcessQuotes: true })).toEqual(["'a", "b'"]);
  });

  it("rejects an escape token other than \\ or ` from untyped callers", () => {
    const bad = { escapeToken: "#" } as unknown as ShellOptions;
    expect(() => processWord("x", {}, bad)).toThrow(ShellExpansionError);
  });
});

describe("environments", () => {
  it("accepts a Map, a record and a lookup function", () => {
    expect(processWord("$A-$B", new Map([["A", "1"]]))).toBe("1-");
    expect(processWord("$A-$B", { A: "1" })).toBe("1-");
    expect(processWord("$A-$B", (name) => (name === "A" ? "1" : undefined))).toBe("1-");
  });

  it("never reads inherited properties of a record", () => {
    expect(processWord("[$constructor][$toString][${__proto__}][$hasOwnProperty]", {})).toBe("[][][][]");
    expect(processWord("${constructor?}", { constructor: "c" })).toBe("c");
    expect(() => processWord("${constructor?}", {})).toThrow("constructor: is not allowed to be unset");
  });

  it("looks names up ignoring case on request, an exact match first", () => {
    const env = { path: "lower", PATH: "upper" };
    expect(processWord("$pwd", { PWD: "/home" }, { caseInsensitiveNames: true })).toBe("/home");
    expect(processWord("$pwd", { PWD: "/home" })).toBe("");
    expect(processWord("$path $PATH", env, { caseInsensitiveNames: true })).toBe("lower upper");
    expect(processWord("$Pwd", new Map([["PWD", "/m"]]), { caseInsensitiveNames: true })).toBe("/m");
    expect(processWord("$pwd", (n) => (n === "PWD" ? "/f" : undefined), { caseInsensitiveNames: true })).toBe(
      "/f",
    );
  });

  it("takes names the way BuildKit does: Unicode letters, digit runs, special parameters", () => {
    const env = { 변수: "v", a_1: "a", "1": "one" };
    expect(processWord("$변수.$a_1.$1x.$12.$@x.${0}", env)).toBe("v.a.onex..x.");
    expect(processWord("$-x $$x $!", env)).toBe("x x ");
  });
});
