import type { Span, Word } from "../../../src/parser/ast";
import { parse } from "../../../src/parser/parse";

const at = (l1: number, c1: number, l2: number, c2: number): Span => ({
  start: { line: l1, column: c1 },
  end: { line: l2, column: c2 },
});
const spans = (words: Word[]): Array<[string, Span]> => words.map((w) => [w.value, w.span]);

describe("spans", () => {
  it("locates keyword, flags and arguments of a one-line instruction", () => {
    const [from] = parse("  FROM --platform=linux/amd64 alpine:3 AS base\n").instructions;
    expect(from.keywordSpan).toEqual(at(1, 3, 1, 6));
    expect(spans(from.flags)).toEqual([["--platform=linux/amd64", at(1, 8, 1, 29)]]);
    expect(spans(from.args)).toEqual([
      ["alpine:3", at(1, 31, 1, 38)],
      ["AS", at(1, 40, 1, 41)],
      ["base", at(1, 43, 1, 46)],
    ]);
    expect(from.span).toEqual(at(1, 3, 1, 46));
    expect(from.original).toBe("FROM --platform=linux/amd64 alpine:3 AS base");
  });

  it("maps arguments joined from continuation lines back to their physical lines", () => {
    const [run] = parse(
      "RUN --mount=type=cache,target=/x \\\n    make \\\n# skipped\n\n    all\n",
    ).instructions;
    expect(spans(run.flags)).toEqual([["--mount=type=cache,target=/x", at(1, 5, 1, 32)]]);
    expect(spans(run.args)).toEqual([["make     all", at(2, 5, 5, 7)]]);
    expect(run.span).toEqual(at(1, 1, 5, 7));
  });

  it("gives ENV/LABEL key, value and separator the source text they came from", () => {
    const [env] = parse('ENV A=1 B="x y"\n').instructions;
    expect(spans(env.args)).toEqual([
      ["A", at(1, 5, 1, 5)],
      ["1", at(1, 7, 1, 7)],
      ["=", at(1, 6, 1, 6)],
      ["B", at(1, 9, 1, 9)],
      ['"x y"', at(1, 11, 1, 15)],
      ["=", at(1, 10, 1, 10)],
    ]);
    const [legacy] = parse("ENV GOPATH \\\n  /go\n").instructions;
    expect(spans(legacy.args).map(([v, s]) => [v, s.start])).toEqual([
      ["GOPATH", { line: 1, column: 5 }],
      ["/go", { line: 2, column: 3 }],
      ["", { line: 2, column: 3 }],
    ]);
  });

  it("locates each element of a JSON array, quotes included", () => {
    const [cmd] = parse('CMD ["a", "b \\" c"]\n').instructions;
    expect(cmd.json).toBe(true);
    expect(spans(cmd.args)).toEqual([
      ["a", at(1, 6, 1, 8)],
      ['b " c', at(1, 11, 1, 18)],
    ]);
  });

  it("locates ONBUILD's child instruction", () => {
    const [onbuild] = parse("ONBUILD   COPY --from=x a b\n").instructions;
    expect(onbuild.child?.keywordSpan).toEqual(at(1, 11, 1, 14));
    expect(onbuild.child?.flags.map((f) => f.span.start.column)).toEqual([16]);
    expect(onbuild.child?.original).toBe("COPY --from=x a b");
  });

  it("counts columns in UTF-16 code units and ignores a BOM", () => {
    const [, label] = parse('\ufeffFROM a\nLABEL k="☃😀" x=1\n').instructions;
    // ☃ is one code unit, 😀 two: x starts at column 15.
    expect(label.args[3].span.start).toEqual({ line: 2, column: 15 });
  });

  it("spans the file from the first instruction to the last line consumed", () => {
    const ast = parse("# c\n\nFROM a\nRUN b \\\n\n");
    expect(ast.span).toEqual(at(3, 1, 5, 1));
    expect(ast.lines).toEqual(["# c", "", "FROM a", "RUN b \\", ""]);
  });

  it("keeps the comment lines above an instruction", () => {
    const ast = parse("# first\nFROM a\n# one\n  # two\nRUN b\n#\n# three\nUSER c\nUSER d\n");
    expect(ast.instructions.map((n) => n.comments)).toEqual([
      ["first"],
      ["one", "two"],
      ["three"],
      undefined,
    ]);
  });
});
