import { processWordWithMatches, ShellExpansionError } from "../../../src/parser/shell";

/**
 * Cases from BuildKit's Go tests (TestProcessWithMatches, TestShellParserMandatoryEnvVars,
 * TestProcessWithMatchesPlatform) and the README's extra table, with the variables each one
 * reports as matched (set) and unmatched (unset).
 */
interface Case {
  readonly input: string;
  readonly env: Record<string, string>;
  readonly expected: string | "error";
  readonly matched?: string[];
  readonly unmatched?: string[];
}

const FOO_BAR = { FOO: "xxx", BAR: "" };

const cases: Case[] = [
  // README section 6 table.
  { input: "${FOO#*x*y}", env: { FOO: "xxyy" }, expected: "y", matched: ["FOO"] },
  { input: "${FOO%%\\**}", env: { FOO: "xx**" }, expected: "xx", matched: ["FOO"] },
  { input: "${FOO//\\//\\/}", env: { FOO: "/tmp/foo.txt" }, expected: "\\/tmp\\/foo.txt", matched: ["FOO"] },
  {
    input: "${FOO-a} ${BAR-b} ${BAZ-c}",
    env: FOO_BAR,
    expected: "xxx  c",
    matched: ["FOO", "BAR"],
    unmatched: ["BAZ"],
  },
  {
    input: "${FOO:+a} ${BAR:+b} ${BAZ:+c}",
    env: FOO_BAR,
    expected: "a  ",
    matched: ["FOO", "BAR"],
    unmatched: ["BAZ"],
  },
  // TestProcessWithMatches.
  { input: "x", env: { DUMMY: "dummy" }, expected: "x" },
  { input: "x ${UNUSED}", env: { DUMMY: "dummy" }, expected: "x ", unmatched: ["UNUSED"] },
  { input: "x ${FOO}", env: { FOO: "y" }, expected: "x y", matched: ["FOO"] },
  {
    input: "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
    env: FOO_BAR,
    expected: "xxx  ccc",
    matched: ["FOO", "BAR"],
    unmatched: ["BAZ"],
  },
  {
    input: "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
    env: FOO_BAR,
    expected: "xxx bbb ccc",
    matched: ["FOO", "BAR"],
    unmatched: ["BAZ"],
  },
  { input: "${FOO:-}", env: FOO_BAR, expected: "xxx", matched: ["FOO"] },
  { input: "${FOO:-}", env: {}, expected: "", unmatched: ["FOO"] },
  {
    input: "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
    env: FOO_BAR,
    expected: "aaa bbb ",
    matched: ["FOO", "BAR"],
    unmatched: ["BAZ"],
  },
  {
    input: "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
    env: FOO_BAR,
    expected: "aaa  ",
    matched: ["FOO", "BAR"],
    unmatched: ["BAZ"],
  },
  { input: "${FOO?aaa}", env: FOO_BAR, expected: "xxx", matched: ["FOO"] },
  { input: "${BAR?bbb}", env: FOO_BAR, expected: "", matched: ["BAR"] },
  { input: "${BAZ?ccc}", env: FOO_BAR, expected: "error" },
  { input: "${FOO:?aaa}", env: FOO_BAR, expected: "xxx", matched: ["FOO"] },
  { input: "${BAR:?bbb}", env: FOO_BAR, expected: "error" },
  { input: "${BAZ:?ccc}", env: FOO_BAR, expected: "error" },
  { input: "${BAZ:?}", env: FOO_BAR, expected: "error" },
  { input: "${FOO=aaa}", env: FOO_BAR, expected: "error" },
  { input: "${FOO=:aaa}", env: FOO_BAR, expected: "error" },
  { input: "${FOO=}", env: {}, expected: "error" },
  {
    input: "${FOO#()[]{\\}^$.\\*\\?|\\\\}",
    env: { FOO: "()[]{}^$.*?|\\x" },
    expected: "x",
    matched: ["FOO"],
  },
  { input: "${FOO#*}", env: { FOO: "xxyy" }, expected: "xxyy", matched: ["FOO"] },
  { input: "${FOO#$BAR}", env: { FOO: "xxyy", BAR: "x" }, expected: "xyy", matched: ["FOO", "BAR"] },
  { input: "${FOO#$BAR}", env: { FOO: "xxyy", BAR: "" }, expected: "xxyy", matched: ["FOO", "BAR"] },
  { input: "${FOO#}", env: { FOO: "xxyy" }, expected: "xxyy", matched: ["FOO"] },
  { input: "${FOO##*x}", env: { FOO: "xxyy" }, expected: "yy", matched: ["FOO"] },
  { input: "${FOO##}", env: { FOO: "xxyy" }, expected: "xxyy", matched: ["FOO"] },
  { input: "${FOO#?\\?}", env: { FOO: "???y" }, expected: "?y", matched: ["FOO"] },
  {
    input: "${ABC:-.}${FOO%x}${ABC:-.}",
    env: { FOO: "xxyy" },
    expected: ".xxyy.",
    matched: ["FOO"],
    unmatched: ["ABC"],
  },
  { input: "${FOO%%\\**\\*}", env: { FOO: "a***yy*" }, expected: "a", matched: ["FOO"] },
  { input: "${FOO%}", env: { FOO: "xxyy" }, expected: "xxyy", matched: ["FOO"] },
  { input: "${FOO%%$BAR}", env: { FOO: "xxyy", BAR: "" }, expected: "xxyy", matched: ["FOO", "BAR"] },
  {
    input: "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
    env: { FOO: "/foo*/*/*.txt", NEEDLE: "\\*/" },
    expected: "/foo.*/*.txt - /foo..*.txt",
    matched: ["FOO", "NEEDLE"],
  },
  {
    input: "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
    env: { FOO: "/tmp/tmp/bar.txt", NEEDLE: "/tmp" },
    expected: "/tmp/bar.txt - /bar.txt",
    matched: ["FOO", "NEEDLE"],
  },
  {
    input: "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
    env: { FOO: "/a/foo/b/c.txt", NEEDLE: "/?/", REPLACEMENT: "/" },
    expected: "/foo/b/c.txt - /foo/c.txt",
    matched: ["FOO", "NEEDLE", "REPLACEMENT"],
  },
  {
    input: "${FOO/$NEEDLE/$REPLACEMENT}",
    env: { FOO: "http://google.de", NEEDLE: "http://", REPLACEMENT: "https://" },
    expected: "https://google.de",
    matched: ["FOO", "NEEDLE", "REPLACEMENT"],
  },
  { input: "${FOO/$BAR/ww}", env: { FOO: "xxyy", BAR: "" }, expected: "wwxxyy", matched: ["FOO", "BAR"] },
  { input: "${FOO//ww}", env: { FOO: "xxyy" }, expected: "error" },
  { input: "${FOO//}", env: { FOO: "xxyy" }, expected: "error" },
  { input: "${FOO///}", env: { FOO: "xxyy" }, expected: "xxyy", matched: ["FOO"] },
  { input: "${FOO///}", env: {}, expected: "", unmatched: ["FOO"] },
  // TestShellParserMandatoryEnvVars.
  {
    input: "${VAR:?message here$ARG}",
    env: { VAR: "plain", ARG: "x" },
    expected: "plain",
    matched: ["VAR", "ARG"],
  },
  { input: "${VAR?message here$ARG}", env: { VAR: "", ARG: "x" }, expected: "", matched: ["VAR", "ARG"] },
];

describe("processWordWithMatches", () => {
  for (const c of cases) {
    it(`${c.input} with ${JSON.stringify(c.env)}`, () => {
      if (c.expected === "error") {
        expect(() => processWordWithMatches(c.input, c.env)).toThrow(ShellExpansionError);
        return;
      }
      const r = processWordWithMatches(c.input, c.env);
      expect(r.result).toBe(c.expected);
      expect([...r.matched].sort()).toEqual([...(c.matched ?? [])].sort());
      expect([...r.unmatched].sort()).toEqual([...(c.unmatched ?? [])].sort());
    });
  }

  it("puts the ${VAR?message} text, expanded, in the error", () => {
    for (const env of [{ VAR: "", ARG: "x" }, { ARG: "x" }] as Record<string, string>[]) {
      expect(() => processWordWithMatches("${VAR:?message here$ARG}", env)).toThrow("VAR: message herex");
    }
    expect(() => processWordWithMatches("${VAR?message here$ARG}", { ARG: "x" })).toThrow(
      "VAR: message herex",
    );
  });

  describe("a release file name built from the platform args", () => {
    const release =
      "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
    const base = { VERSION: "v1.2.3", TARGETOS: "linux" };
    it("adds a set variant", () => {
      const r = processWordWithMatches(release, { ...base, TARGETARCH: "arm", TARGETVARIANT: "v7" });
      expect(r.result).toBe("something-v1.2.3.linux-arm-v7.tar.gz");
      expect([...r.matched].sort()).toEqual(["TARGETARCH", "TARGETOS", "TARGETVARIANT", "VERSION"]);
    });
    it("drops an empty variant, which still counts as consumed", () => {
      const r = processWordWithMatches(release, { ...base, TARGETARCH: "arm64", TARGETVARIANT: "" });
      expect(r.result).toBe("something-v1.2.3.linux-arm64.tar.gz");
      expect(r.matched.has("TARGETVARIANT")).toBe(true);
      expect(r.unmatched.size).toBe(0);
    });
    it("drops an unset variant and reports it unmatched", () => {
      const r = processWordWithMatches(release, { ...base, TARGETARCH: "arm64" });
      expect(r.result).toBe("something-v1.2.3.linux-arm64.tar.gz");
      expect([...r.unmatched]).toEqual(["TARGETVARIANT"]);
    });
  });

  it("records names referenced only inside a default that was not used", () => {
    // ${A:-$B}: A is set, so $B's value is not used, but BuildKit still looked it up.
    const r = processWordWithMatches("${A:-$B}", { A: "a" });
    expect(r.result).toBe("a");
    expect([...r.matched]).toEqual(["A"]);
    expect([...r.unmatched]).toEqual(["B"]);
  });

  it("does not record names inside single quotes or escaped dollars", () => {
    const r = processWordWithMatches("'$A' \\$B \"\\$C\"", { A: "a" });
    expect(r.result).toBe("$A $B $C");
    expect(r.matched.size + r.unmatched.size).toBe(0);
  });

  it("returns the split words too", () => {
    expect(processWordWithMatches("a $X 'b c'", { X: "1  2" }).words).toEqual(["a", "1", "2", "b c"]);
  });
});
