import { TsbuildError } from "../../../src/errors";
import { processWord, ShellExpansionError } from "../../../src/parser/shell";

function failure(input: string, env: Record<string, string> = {}): ShellExpansionError {
  try {
    processWord(input, env);
  } catch (err) {
    if (err instanceof ShellExpansionError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(input)} to fail`);
}

describe("ShellExpansionError", () => {
  it("is a typed TsbuildError whose message starts with what failed", () => {
    const err = failure("${:x}");
    expect(err).toBeInstanceOf(TsbuildError);
    expect(err.code).toBe("SHELL_EXPANSION");
    expect(err.name).toBe("ShellExpansionError");
    expect(err.message).toBe("expand word at offset 0: bad substitution: ${:x}");
  });

  // [input, env, problem, offset, length]
  it.each<[string, Record<string, string>, string, number, number]>([
    ["${:x}", {}, "bad substitution: ${:x}", 0, 5],
    ["a ${}", {}, "bad substitution: ${}", 2, 3],
    ["${{a}", {}, "bad substitution: ${{a}", 0, 5],
    ["x${.}y", {}, 'bad substitution: unsupported modifier "." in ${.}', 1, 4],
    ["echo ${FOO", {}, "missing '}' in ${FOO", 5, 5],
    ["${a:-${b}", {}, "missing '}' in ${a:-${b}", 0, 9],
    ["${", {}, "missing '}' in ${", 0, 2],
    ["a${FOO:?}b", {}, "FOO: is not allowed to be unset", 1, 8],
    ["a${FOO?}b", {}, "FOO: is not allowed to be unset", 1, 7],
    ["a${FOO:?}b", { FOO: "" }, "FOO: is not allowed to be empty", 1, 8],
    ["${FOO?set it with --build-arg}", {}, "FOO: set it with --build-arg", 0, 30],
    ["${PWD:=000}", { PWD: "/" }, 'bad substitution: unsupported modifier ":=" in ${PWD:=000}', 0, 11],
    ["${PWD=000}", { PWD: "/" }, 'bad substitution: unsupported modifier "=" in ${PWD=000}', 0, 10],
    ["${X:#a}", {}, 'bad substitution: unsupported modifier ":#" in ${X:#a}', 0, 7],
    ["${X:%a}", {}, 'bad substitution: unsupported modifier ":%" in ${X:%a}', 0, 7],
    ["x ${X#\\q}", { X: "q" }, "invalid pattern \"\\q\": invalid escape '\\q'", 2, 7],
    ["${X%a\\}", { X: "q" }, "missing '}' in ${X%a\\}", 0, 7],
    ["${FOO//ww}", { FOO: "x" }, "bad substitution: missing '/' in ${FOO//ww}", 0, 10],
    ['say "hi', {}, 'unterminated double-quoted string "hi', 4, 3],
    ["it's", {}, "unterminated single-quoted string 's", 2, 2],
    ['"abc\\"', {}, 'unterminated double-quoted string "abc\\"', 0, 6],
  ])("%j with %j → %s at %d", (input, env, problem, offset, length) => {
    const err = failure(input, env);
    expect(err.problem).toBe(problem);
    expect(err.offset).toBe(offset);
    expect(err.length).toBe(length);
  });

  it("counts the offset in UTF-16 code units, like String indexes", () => {
    const input = "😀한${X:?}";
    const err = failure(input);
    expect(err.offset).toBe(3);
    expect(input.slice(err.offset, err.offset + err.length)).toBe("${X:?}");
  });

  it("points into a nested expansion at the innermost failing one", () => {
    const input = "${A:-x${B:?need B}y}";
    const err = failure(input);
    expect(err.problem).toBe("B: need B");
    expect(input.slice(err.offset, err.offset + err.length)).toBe("${B:?need B}");
  });

  it("quotes at most 60 characters of the input", () => {
    const err = failure("${" + "a".repeat(10_000));
    expect(err.problem).toBe(`missing '}' in \${${"a".repeat(58)}…`);
    expect(err.length).toBe(10_002);
  });
});
