import * as fs from "node:fs";
import * as path from "node:path";
import { dumpBuildkit } from "../../src/parser/dump";
import { DockerfileError } from "../../src/parser/errors";
import { parse } from "../../src/parser/parse";
import { conformanceDir } from "../support/conformance-source";
import { repoRoot } from "../support/paths";

const parserRoot = path.join(conformanceDir(repoRoot), "frontend", "dockerfile", "parser");
const read = (...p: string[]): string => fs.readFileSync(path.join(parserRoot, ...p), "utf8");
const cases = (dir: string): string[] => fs.readdirSync(path.join(parserRoot, dir)).sort();

describe("BuildKit golden dumps (parser/testfiles)", () => {
  const golden = cases("testfiles");
  it("has all 33 cases", () => expect(golden).toHaveLength(33));
  for (const name of golden) {
    it(name, () => {
      const ast = parse(read("testfiles", name, "Dockerfile"), { file: `${name}/Dockerfile` });
      expect(dumpBuildkit(ast) + "\n").toBe(read("testfiles", name, "result"));
    });
  }
});

describe("BuildKit must-fail cases (parser/testfiles-negative)", () => {
  const negative = cases("testfiles-negative");
  it("has all 4 cases", () => expect(negative).toHaveLength(4));
  for (const name of negative) {
    it(name, () => {
      expect(() => parse(read("testfiles-negative", name, "Dockerfile"))).toThrow(DockerfileError);
    });
  }
});

describe("BuildKit line numbers (parser/testfile-line)", () => {
  it("spans instructions from the keyword line to the last line consumed", () => {
    const ast = parse(read("testfile-line", "Dockerfile"));
    expect([ast.span.start.line, ast.span.end.line]).toEqual([5, 31]);
    expect(ast.instructions.map((n) => [n.span.start.line, n.span.end.line])).toEqual([
      [5, 5],
      [11, 12],
      [17, 31],
    ]);
  });
});
