import * as fs from "node:fs";
import * as path from "node:path";

import { processWord, processWords, ShellExpansionError } from "../../src/parser/shell";
import { conformanceDir } from "../support/conformance-source";
import { repoRoot } from "../support/paths";

/**
 * BuildKit's own expansion vectors, read in place (see the README beside them, sections 4-5).
 */
const shellDir = path.join(conformanceDir(repoRoot), "frontend", "dockerfile", "shell");

interface EnvVarVector {
  readonly tag: string;
  readonly input: string;
  readonly expected: string;
  readonly line: number;
}

function readEnvVarVectors(): EnvVarVector[] {
  const vectors: EnvVarVector[] = [];
  fs.readFileSync(path.join(shellDir, "envVarTest"), "utf8")
    .split("\n")
    .forEach((raw, i) => {
      if (raw.startsWith("#")) return;
      const line = raw.trim();
      if (line === "") return;
      const fields = line.split("|");
      if (fields.length !== 3)
        throw new Error(`envVarTest:${i + 1}: expected 3 fields, got ${fields.length}`);
      const [tag, input, expected] = fields.map((f) => f.trim());
      vectors.push({ tag, input, expected, line: i + 1 });
    });
  return vectors;
}

/** The environment of every envVarTest line. */
const ENV = new Map([
  ["PWD", "/home"],
  ["SHELL", "bash"],
  ["KOREAN", "한국어"],
  ["NULL", ""],
]);

function expandOrError(input: string, caseInsensitiveNames: boolean): string {
  try {
    return processWord(input, ENV, { caseInsensitiveNames });
  } catch (err) {
    if (err instanceof ShellExpansionError) return "error";
    throw err;
  }
}

const envVarVectors = readEnvVarVectors();

describe("envVarTest", () => {
  it("has the counts the README states", () => {
    const count = (tag: string) => envVarVectors.filter((v) => v.tag === tag).length;
    expect(envVarVectors).toHaveLength(230);
    expect([count("A"), count("U"), count("W")]).toEqual([226, 2, 2]);
    expect(envVarVectors.filter((v) => v.expected === "error")).toHaveLength(36);
  });

  describe("A and U lines (Linux: case-sensitive names)", () => {
    for (const v of envVarVectors.filter((x) => x.tag === "A" || x.tag === "U")) {
      it(`${v.tag} ${v.input}`, () => {
        expect(expandOrError(v.input, false)).toBe(v.expected);
      });
    }
  });

  describe("A and W lines (Windows: case-insensitive names)", () => {
    for (const v of envVarVectors.filter((x) => x.tag === "A" || x.tag === "W")) {
      it(`${v.tag} ${v.input}`, () => {
        expect(expandOrError(v.input, true)).toBe(v.expected);
      });
    }
  });
});

interface WordsVector {
  readonly input: string;
  readonly expected: string[];
  /** The environment accumulated from the ENV lines above this one. */
  readonly env: ReadonlyMap<string, string>;
}

function readWordsVectors(): WordsVector[] {
  const vectors: WordsVector[] = [];
  const env = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(shellDir, "wordsTest"), "utf8").split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("ENV ")) {
      const entry = line.slice(3).replace(/^ +/, "");
      const eq = entry.indexOf("=");
      env.set(entry.slice(0, eq), entry.slice(eq + 1));
      continue;
    }
    const parts = line.split("|");
    if (parts.length !== 2) throw new Error(`wordsTest: expected one '|' in ${JSON.stringify(line)}`);
    vectors.push({
      input: parts[0].trim(),
      expected: parts[1].replace(/^ +/, "").split(","),
      env: new Map(env),
    });
  }
  return vectors;
}

const wordsVectors = readWordsVectors();

describe("wordsTest", () => {
  it("has 24 vectors, 1 expecting an error, and keeps trailing spaces", () => {
    expect(wordsVectors).toHaveLength(24);
    expect(wordsVectors.filter((v) => v.expected[0] === "error")).toHaveLength(1);
    expect(wordsVectors.at(-1)?.env.get("trailing")).toBe("ab c   ");
  });

  for (const v of wordsVectors) {
    it(`${v.input} → ${JSON.stringify(v.expected)}`, () => {
      let actual: string[];
      try {
        actual = processWords(v.input, v.env);
      } catch (err) {
        if (!(err instanceof ShellExpansionError)) throw err;
        actual = ["error"];
      }
      expect(actual).toEqual(v.expected);
    });
  }
});
