import { DockerfileError } from "../../../src/parser/errors";
import { dumpBuildkit } from "../../../src/parser/dump";
import { parse } from "../../../src/parser/parse";

function errorOf(text: string): DockerfileError {
  try {
    parse(text, { file: "Dockerfile" });
  } catch (e) {
    if (e instanceof DockerfileError) return e;
    throw e;
  }
  throw new Error("expected a DockerfileError");
}

describe("parser directives", () => {
  it("reads syntax, escape and check at the top, case-insensitively, with spans", () => {
    const ast = parse("# syntax=docker/dockerfile:1\n#ESCAPE = `\n#  check=skip=all;error=true  \nFROM a\n");
    expect(ast.directives.map((d) => [d.name, d.value])).toEqual([
      ["syntax", "docker/dockerfile:1"],
      ["escape", "`"],
      ["check", "skip=all;error=true"],
    ]);
    expect(ast.directives[1].span.start).toEqual({ line: 2, column: 2 });
    expect(ast.escapeToken).toBe("`");
  });

  it("applies the backtick escape to continuations", () => {
    const ast = parse("# escape=`\nFROM a\nRUN echo a \\\nRUN b `\n  c\n");
    expect(dumpBuildkit(ast)).toBe('(from "a")\n(run "echo a \\\\")\n(run "b   c")');
  });

  it("ends the directive run at a blank line, a plain comment or an instruction", () => {
    expect(parse("\n# escape=`\nFROM a\n").directives).toEqual([]);
    expect(parse("# hello\n# escape=`\nFROM a\n").escapeToken).toBe("\\");
    expect(parse("# unknown=1\n# escape=`\nFROM a\n").directives).toEqual([]);
    const after = parse("FROM a\n# escape=`\nRUN x \\\n y\n");
    expect(after.directives).toEqual([]);
    expect(dumpBuildkit(after)).toBe('(from "a")\n(run "x  y")');
  });

  it("rejects a repeated directive with its line", () => {
    const e = errorOf("# syntax=a\n# escape=\\\n# Syntax=b\nFROM a\n");
    expect(e.problem).toBe("only one syntax parser directive can be used");
    expect([e.line, e.column]).toEqual([3, 3]);
  });

  it("rejects an escape that is neither backslash nor backtick, pointing at the value", () => {
    const e = errorOf("# escape=$$\nFROM a\n");
    expect(e.problem).toMatch(/^invalid escape token '\$\$'/);
    expect([e.line, e.column]).toEqual([1, 10]);
  });

  it("a directive needs a value", () => {
    expect(parse("# escape=\nFROM a\n").directives).toEqual([]);
  });

  it("drops a byte-order mark before the first directive", () => {
    expect(parse("\ufeff# escape=`\nFROM a\n").escapeToken).toBe("`");
  });
});
