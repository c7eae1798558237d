import { DockerfileError } from "../../../src/parser/errors";
import { parse } from "../../../src/parser/parse";

function errorOf(text: string): DockerfileError {
  try {
    parse(text, { file: "ctx/Dockerfile" });
  } catch (e) {
    if (e instanceof DockerfileError) return e;
    throw e;
  }
  throw new Error("expected a DockerfileError");
}

describe("parse errors", () => {
  it.each([
    ["", "file with no instructions", 1, 1],
    ["# only\n\n# comments\n", "file with no instructions", 3, 1],
    ["FROM a\nENV PATH\n", "ENV must have two arguments", 2, 5],
    ["FROM a\nLABEL  key\n", "LABEL must have two arguments", 2, 8],
    ["FROM a\nLABEL a=b c\n", `Syntax error - can't find = in "c". Must be of the form: name=value`, 2, 11],
    [
      'FROM a\nCMD [ "echo", [ "nested json" ] ]\n',
      "when using JSON array syntax, arrays must be comprised of strings only",
      2,
      5,
    ],
    [
      "FROM a\nHEALTHCHECK CMD [1]\n",
      "when using JSON array syntax, arrays must be comprised of strings only",
      2,
      17,
    ],
    ["FROM a\nONBUILD ENV X\n", "ENV must have two arguments", 2, 13],
  ])("%j → %s at %i:%i", (text, problem, line, column) => {
    const e = errorOf(text);
    expect(e.problem).toBe(problem);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.file).toBe("ctx/Dockerfile");
    expect(e.message).toBe(`ctx/Dockerfile:${line}:${column}: ${problem}`);
    expect(e.code).toBe("DOCKERFILE");
  });

  it("renders the source line with a caret under the problem", () => {
    const e = errorOf("FROM a\n  ENV   PATH\n");
    expect(e.render()).toBe(
      "ctx/Dockerfile:2:9: ENV must have two arguments\n2 |   ENV   PATH\n  |         ^^^^",
    );
  });

  it("does not treat a quoted or JSON-like shell form as an error", () => {
    expect(parse("FROM a\nCMD [ \"a\", 'b' ]\n").instructions[1].args.map((a) => a.value)).toEqual([
      `[ "a", 'b' ]`,
    ]);
    expect(parse("FROM a\nRUN [1] trailing\n").instructions[1].json).toBe(false);
  });
});
