import fc from "fast-check";
import type { DockerfileAst, InstructionNode } from "../../../src/parser/ast";
import { DockerfileError } from "../../../src/parser/errors";
import { parse } from "../../../src/parser/parse";
import { printDockerfile } from "../../../src/parser/print";

/** The AST without source positions, physical lines and comments: what the printer must preserve. */
function shape(ast: DockerfileAst): unknown {
  const node = (n: InstructionNode): unknown => ({
    keyword: n.keyword,
    flags: n.flags.map((f) => f.value),
    args: n.args.map((a) => a.value),
    json: n.json,
    child: n.child === undefined ? undefined : node(n.child),
    heredocs: n.heredocs,
    original: n.original,
  });
  return {
    directives: ast.directives.map((d) => [d.name, d.value]),
    escapeToken: ast.escapeToken,
    instructions: ast.instructions.map(node),
  };
}

/** parse(), asserting that the only thing it may throw is a (non-internal) DockerfileError. */
function tryParse(text: string): DockerfileAst | undefined {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof DockerfileError && e.code !== "DOCKERFILE_INTERNAL") return undefined;
    throw e;
  }
}

function assertRoundTrip(text: string): void {
  const ast = tryParse(text);
  if (ast === undefined) return;
  const printed = printDockerfile(ast);
  let again: DockerfileAst;
  try {
    again = parse(printed);
  } catch (e) {
    throw new Error(
      `printed text does not parse: ${String(e)}\n--- input ${JSON.stringify(text)}\n--- printed ${JSON.stringify(printed)}`,
    );
  }
  expect(shape(again)).toEqual(shape(ast));
}

const KEYWORDS = [
  "FROM",
  "RUN",
  "CMD",
  "COPY",
  "ADD",
  "ENV",
  "LABEL",
  "ARG",
  "ONBUILD",
  "HEALTHCHECK",
  "EXPOSE",
  "USER",
  "WORKDIR",
  "VOLUME",
  "SHELL",
  "ENTRYPOINT",
  "STOPSIGNAL",
  "MAINTAINER",
  "from",
  "Run",
  "BOGUS",
];
const word = fc.oneof(
  fc.constantFrom(
    "a",
    "b=c",
    "k=v",
    '"x y"',
    "'q r'",
    "$HOME",
    "${X:-y}",
    "\\",
    "\\\\",
    "`",
    "#",
    "=",
    "--",
    "--flag=1",
    "<<EOF",
    "<<-EOT",
    "3<<'Q'",
    "[",
    "]",
    '["a","b"]',
    '[ "x", 1 ]',
    "[[]]",
    "é",
    "😀",
    "\0",
    "\r",
  ),
  fc.string({ maxLength: 6 }),
);
const blanks = fc.constantFrom(" ", "  ", "\t", " \t ", "\v", "\u00a0");

/** A line of words separated by white space; sometimes broken into continuation lines with comments between. */
const instructionText = fc
  .tuple(
    fc.constantFrom(...KEYWORDS),
    fc.array(fc.tuple(blanks, word), { maxLength: 6 }),
    fc.array(fc.nat(5), { maxLength: 2 }),
    fc.constantFrom("\\", "`"),
  )
  .map(([kw, words, breaks, esc]) => {
    const parts = words.map(([b, w]) => b + w);
    for (const at of breaks)
      if (at < parts.length) parts[at] = `${esc}\n${at % 2 === 0 ? "# in continuation\n" : "\n"}${parts[at]}`;
    return kw + parts.join("");
  });

const heredocBody = fc.array(fc.constantFrom("echo hi", "\tindented", "", "EO", "# not a comment", "x \\"), {
  maxLength: 3,
});

const dockerfile = fc
  .tuple(
    fc.constantFrom("", "# syntax=docker/dockerfile:1\n", "# escape=`\n", "#escape=\\\n# check=skip=all\n"),
    fc.array(
      fc.oneof(
        instructionText,
        fc.constantFrom("# a comment", "", "   ", "  # indented comment"),
        fc
          .tuple(
            fc.constantFrom("RUN cat <<EOF", "COPY <<EOF /d", "RUN <<-EOF", "ONBUILD RUN <<'EOF' >x"),
            heredocBody,
            fc.constantFrom("EOF", "\tEOF"),
          )
          .map(([head, body, end]) => [head, ...body, end].join("\n")),
        fc.constantFrom(
          'CMD ["a", "b c"]',
          "ENTRYPOINT []",
          'VOLUME ["/v"]',
          'HEALTHCHECK --interval=5s CMD ["true"]',
          "ENV A B C",
          'LABEL a=1 b="2 3"',
        ),
      ),
      { maxLength: 12 },
    ),
    fc.constantFrom("\n", "\r\n"),
    fc.boolean(),
  )
  .map(([head, lines, eol, finalEol]) => head + lines.join(eol) + (finalEol ? eol : ""));

const dockerfileAlphabet = fc.string({
  unit: fc.constantFrom(
    "R",
    "U",
    "N",
    " ",
    "\t",
    "\n",
    "\r",
    "\\",
    "`",
    "#",
    "<",
    "-",
    "E",
    "O",
    "F",
    '"',
    "'",
    "[",
    "]",
    ",",
    "=",
    "x",
    "\u00a0",
    "\ufeff",
    "\0",
    "\ud800",
  ),
  maxLength: 80,
});

describe("parser fuzzing", () => {
  it("generated Dockerfiles: only DockerfileError, and parse → print → parse is stable", () => {
    fc.assert(fc.property(dockerfile, assertRoundTrip), { numRuns: Number(process.env.FUZZ_RUNS ?? 1500) });
  });

  it("strings over the Dockerfile alphabet: only DockerfileError, and round-trip stable", () => {
    fc.assert(
      fc.property(fc.constantFrom("", "FROM a\n"), dockerfileAlphabet, (prefix, s) =>
        assertRoundTrip(prefix + s),
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3000) },
    );
  });

  it("arbitrary Unicode and binary strings: only DockerfileError, and round-trip stable", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), assertRoundTrip), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 100 }), assertRoundTrip), {
      numRuns: 500,
    });
  });
});
