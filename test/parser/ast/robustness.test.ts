import { decodeDockerfile } from "../../../src/parser/decode";
import { dumpBuildkit } from "../../../src/parser/dump";
import { DockerfileError } from "../../../src/parser/errors";
import { parse } from "../../../src/parser/parse";

/** Parses and returns the AST, or the DockerfileError; anything else thrown fails the test. */
function parseOrError(text: string): ReturnType<typeof parse> | DockerfileError {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof DockerfileError && e.code !== "DOCKERFILE_INTERNAL") return e;
    throw e;
  }
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

describe("robustness", () => {
  it("random bytes decoded leniently give an AST or a DockerfileError", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = lcg(seed);
      const bytes = new Uint8Array(next() % 2000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
      parseOrError(new TextDecoder().decode(bytes));
    }
  });

  it("keeps NUL bytes and lone surrogates as ordinary characters", () => {
    const ast = parse("FROM a\0b\nRUN \udc00x \ud800\nLABEL \0=\ud83d\n");
    expect(dumpBuildkit(ast)).toBe('(from "a\\x00b")\n(run "\ufffdx \ufffd")\n(label "\\x00" "\ufffd" "=")');
    expect(ast.instructions[1].args[0].value).toBe("\udc00x \ud800");
  });

  it("parses a 10 MB single line quickly", () => {
    const t0 = process.cpuUsage(); // CPU time: the bound holds on a loaded machine
    const ast = parse("RUN " + "echo a\\ b 'c' \"d\" ".repeat(500_000));
    expect(ast.instructions[0].args[0].value.length).toBe(8_999_999);
    for (const prefix of ["ENV A=", "ARG ", "COPY ", "CMD [", "# x=", "FROM "]) {
      parseOrError(prefix + "a \"b' \\ c= ".repeat(1_000_000));
    }
    // Linear work over ~70 MB of input in total; generous for a loaded CI machine.
    const cpu = process.cpuUsage(t0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(60_000);
  });

  it("survives absurdly nested JSON and a 10 MB continuation chain", () => {
    const deep = parseOrError("CMD " + "[".repeat(1_000_000) + "]".repeat(1_000_000));
    expect(deep).toBeInstanceOf(DockerfileError);
    const open = parse("CMD " + "[".repeat(1_000_000));
    expect(open.instructions[0].json).toBe(false);
    const chain = parse("RUN a \\\n" + "b \\\n".repeat(1_000_000) + "c\n");
    expect(chain.instructions[0].span.end.line).toBe(1_000_002);
  });

  it("parses 100,000 lines", () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++)
      lines.push(i % 3 === 0 ? `RUN echo ${i} \\` : i % 3 === 1 ? `  && true ${i}` : `ENV K${i}=v${i}`);
    const ast = parse(lines.join("\n") + "\n");
    expect(ast.instructions.length).toBeGreaterThan(60_000);
    expect(ast.span.end.line).toBe(100_000);
  });

  it.each([
    "FROM a\nRUN <<EOF\nno end",
    'FROM a\nENV A="unterminated',
    "FROM a\nARG 'x",
    'FROM a\nCOPY ["a", "b"',
    "FROM a\nRUN cat <<'EOF\nEOF\n",
    "FROM a\nRUN \\",
    "\\",
    "\\\n\\\n",
    "ONBUILD",
    "ONBUILD ONBUILD ONBUILD RUN <<A\nA\n",
    "HEALTHCHECK",
    "HEALTHCHECK --x CMD",
    "constructor x\n__proto__ y\ntoString\n",
  ])("%j gives an AST or a DockerfileError", (text) => {
    parseOrError(text);
  });
});

describe("decodeDockerfile", () => {
  const enc = (s: string): number[] => Array.from(Buffer.from(s, "utf8"));

  it("decodes UTF-8 and drops a byte-order mark", () => {
    expect(decodeDockerfile(Uint8Array.from([0xef, 0xbb, 0xbf, ...enc("FROM ☃\n")]), "Dockerfile")).toBe(
      "FROM ☃\n",
    );
  });

  it.each([
    [[...enc("FROM a\nRU"), 0xff, ...enc("N x\n")], 2, 3, "0xff"],
    [[...enc("FROM é"), 0xc3], 1, 7, "0xc3"],
    [[...enc("A\n\n😀 "), 0xed, 0xa0, 0x80], 3, 4, "0xed"],
    [[0xc0, 0x80], 1, 1, "0xc0"],
  ])("rejects invalid UTF-8 at the bad byte (%#)", (bytes, line, column, hex) => {
    let err: unknown;
    try {
      decodeDockerfile(Uint8Array.from(bytes), "ctx/Dockerfile");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DockerfileError);
    const e = err as DockerfileError;
    expect([e.file, e.line, e.column]).toEqual(["ctx/Dockerfile", line, column]);
    expect(e.problem).toBe(`decode Dockerfile: invalid UTF-8 byte ${hex}`);
  });
});

describe("line endings", () => {
  it("ends lines only at \\n: a \\r, U+2028 or U+2029 inside a line is an ordinary character", () => {
    const ast = parse("FROM a \\ \rb\nRUN x\u2028y \\\u2029\nRUN z\r\r\n");
    expect(ast.instructions.map((n) => n.args.map((a) => a.value))).toEqual([
      ["a", "\\", "b"],
      ["x\u2028y \\"],
      ["z"],
    ]);
    expect(ast.lines).toEqual(["FROM a \\ \rb", "RUN x\u2028y \\\u2029", "RUN z"]);
  });
});
