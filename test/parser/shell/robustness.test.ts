import { randomBytes } from "node:crypto";

import * as fc from "fast-check";

import { MAX_NESTING, processWord, processWords, ShellExpansionError } from "../../../src/parser/shell";

/** Expands and returns the result, or "error" for a ShellExpansionError; anything else fails. */
function outcome(input: string, env: Record<string, string> = {}): string {
  try {
    return processWord(input, env);
  } catch (err) {
    if (err instanceof ShellExpansionError) return "error";
    throw err;
  }
}

/** CPU time of `fn` (user + system), not wall time: the bound holds on a loaded CI machine. */
function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}

const MB = 1024 * 1024;
// Generous bounds: these guard against quadratic or exponential blow-ups, not micro-speed,
// on a 2-core machine shared with other test suites.
const LIMIT_MS = 5_000;

describe("nesting", () => {
  it("fails clearly on ${ nested 10,000 deep instead of overflowing the stack", () => {
    const deep = "${a:-".repeat(10_000) + "x" + "}".repeat(10_000);
    const { value: err, ms } = timed(() => {
      try {
        processWord(deep, {});
      } catch (e) {
        return e;
      }
      return undefined;
    });
    expect(err).toBeInstanceOf(ShellExpansionError);
    expect((err as ShellExpansionError).problem).toContain(`nested more than ${MAX_NESTING} levels deep`);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it("fails the same way for an unclosed 10,000-deep nest and for nesting through quotes", () => {
    expect(outcome("${a:-".repeat(10_000))).toBe("error");
    expect(outcome('"${a:-'.repeat(10_000) + "x" + '}"'.repeat(10_000))).toBe("error");
  });

  it(`expands ${MAX_NESTING} levels, through double quotes too`, () => {
    expect(processWord("${a:-".repeat(MAX_NESTING) + "x" + "}".repeat(MAX_NESTING), {})).toBe("x");
    expect(processWord('"${a:-'.repeat(MAX_NESTING) + "x" + '}"'.repeat(MAX_NESTING), {})).toBe("x");
  });
});

describe("large input", () => {
  it("expands a 10 MB word in linear time", () => {
    const unit = "ab $V \"q $V\" 'lit' \\$x ";
    const count = Math.ceil((10 * MB) / unit.length);
    const { value, ms } = timed(() => processWord(unit.repeat(count), { V: "v" }));
    expect(value).toBe("ab v q v lit $x ".repeat(count));
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it("splits a 10 MB word into words in linear time", () => {
    const input = "word ".repeat(2 * MB);
    const { value, ms } = timed(() => processWords(input, {}));
    expect(value).toHaveLength(2 * MB);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it("handles 10 MB of escapes and of unterminated quotes", () => {
    expect(outcome("\\\\".repeat(5 * MB))).toHaveLength(5 * MB);
    expect(outcome("'" + "x".repeat(10 * MB))).toBe("error");
    expect(outcome('"' + "x".repeat(10 * MB))).toBe("error");
    expect(outcome("${".repeat(5 * MB))).toBe("error");
  });

  it("matches patterns in time linear in the value (no backtracking blow-up)", () => {
    const X = "a".repeat(200_000);
    const { value, ms } = timed(() => [
      processWord("${X#*a*a*a*a*a*a*a*a*b}", { X }),
      processWord("${X%%*a*a*a*a*a*a*a*a*b}", { X }),
      processWord("${X/*a*a*a*a*b/-}", { X }),
    ]);
    expect(value).toEqual([X, X, X]);
    expect(ms).toBeLessThan(LIMIT_MS);
  });
});

describe("arbitrary input", () => {
  const env = { A: "a b", EMPTY: "", STAR: "*", PAT: "\\*/" };

  it("expands random bytes to a result or a ShellExpansionError", () => {
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(64 + (i % 7) * 100);
      expect(typeof outcome(bytes.toString("latin1"), env)).toBe("string");
      expect(typeof outcome(bytes.toString("utf8"), env)).toBe("string");
    }
  });

  // Words made mostly of the characters the lexer treats specially.
  const alphabet = [..."${}:-+?#%/\\'\"` *aAB_1@\n\t", "${", "${A", "}", "한", "😀", "\uD800", "\uFEFF"];
  const shellish = fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((parts) => parts.join(""));

  it("never throws anything but ShellExpansionError (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(shellish, fc.string({ unit: "binary", maxLength: 80 })),
        fc.constantFrom("\\" as const, "`" as const),
        fc.boolean(),
        (input, escapeToken, skipUnsetEnv) => {
          for (const fn of [processWord, processWords]) {
            try {
              fn(input, env, { escapeToken, skipUnsetEnv });
            } catch (err) {
              if (!(err instanceof ShellExpansionError)) throw err;
              expect(err.offset).toBeGreaterThanOrEqual(0);
              expect(err.offset).toBeLessThanOrEqual(input.length);
            }
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("leaves text without special characters unchanged (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), (raw) => {
        const plain = raw.replace(/[$'"\\]/g, "").replace(/^\uFEFF/, "");
        expect(processWord(plain, env)).toBe(plain);
      }),
      { numRuns: 1_000 },
    );
  });
});
