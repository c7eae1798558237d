import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { openContext } from "../../src/context/build-context";
import { BadPatternError } from "../../src/context/go-match";
import { compileIgnorePattern } from "../../src/context/ignore-pattern";
import { makeTemp, removeTemp } from "./tree-fixture";

describe(".dockerignore matching takes linear time", () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTemp();
    let p = dir;
    for (let i = 0; i < 30; i++) {
      p = path.join(p, `d${i}`);
      fs.mkdirSync(p);
      fs.writeFileSync(path.join(p, "f"), "x");
    }
  });
  afterAll(() => removeTemp(dir));

  // Before: 8 repetitions took 10.8 s on this 30-deep tree (V8's backtracking RegExp), 40 never ended.
  it.each([8, 40, 200])("%i repetitions of **/ over a 30-deep tree", async (reps) => {
    fs.writeFileSync(
      path.join(dir, ".dockerignore"),
      "**/".repeat(reps) + "nomatch\n" + "*/*/*/*/*/*/*/*/zz\n",
    );
    // CPU time: the bound is about the matcher's work, not the machine's load.
    const started = process.cpuUsage();
    const ctx = await openContext(dir);
    const files = await ctx.files(ctx.resolveSources(["."]));
    expect(files).toHaveLength(62);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(5_000);
  });

  it("many * in one segment against a long name (polynomial on a backtracking engine)", () => {
    const pattern = compileIgnorePattern("**/" + "*a".repeat(12) + "*b");
    const started = process.cpuUsage();
    expect(pattern?.matches(`d0/${"a".repeat(200)}`)).toBe(false);
    expect(pattern?.matches(`d0/${"a".repeat(200)}b`)).toBe(true);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(5_000);
  });

  it("a matching pattern with many **/ still matches", async () => {
    fs.writeFileSync(path.join(dir, ".dockerignore"), "**/".repeat(40) + "d29\n");
    const ctx = await openContext(dir);
    expect(ctx.isIgnored(Array.from({ length: 30 }, (_, i) => `d${i}`).join("/"))).toBe(true);
    expect(ctx.isIgnored("d0/f")).toBe(false);
  });
});

describe("V8 RegExp and RE2 agree on every compiled pattern", () => {
  const piece = fc.constantFrom(
    "*",
    "**",
    "**/",
    "?",
    "/",
    "a",
    "b",
    ".",
    "[a-b]",
    "[^a]",
    "\\*",
    "\\a",
    "[",
    "]",
    "-",
    "é",
    "(",
    "+",
    "$",
  );
  const name = fc.constantFrom("a", "b", "ab", ".", "é", "a.b", "*", "(", "+", "$", "-", "aa");

  it("`[*[]` is a syntax error on both (V8 alone would accept its empty class `[]`)", () => {
    for (const engine of ["v8", "re2"] as const)
      expect(() => compileIgnorePattern("[*[]", engine)).toThrow(BadPatternError);
  });

  // "auto" skips RE2 for class- and escape-free patterns (nothing for it to reject there).
  it("same verdict and same syntax errors on V8, RE2 and auto (property)", () => {
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(name, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 10 }),
        (pieces, paths) => {
          const line = pieces.join("");
          const compileWith = (
            engine: "v8" | "re2" | "auto",
          ): ReturnType<typeof compileIgnorePattern> | "bad" => {
            try {
              return compileIgnorePattern(line, engine);
            } catch (err) {
              if (err instanceof BadPatternError) return "bad";
              throw err;
            }
          };
          const js = compileWith("v8");
          const re2 = compileWith("re2");
          const auto = compileWith("auto");
          expect(re2 === "bad").toBe(js === "bad");
          expect(auto === "bad").toBe(re2 === "bad");
          if (js === "bad" || re2 === "bad" || auto === "bad") return;
          if (js === undefined || re2 === undefined || auto === undefined) return;
          for (const segments of paths) {
            const p = segments.join("/");
            expect([p, re2.matches(p)]).toEqual([p, js.matches(p)]);
            expect([p, auto.matches(p)]).toEqual([p, re2.matches(p)]);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
