import { DockerfileError } from "../../../src/parser/errors";
import { dumpBuildkit } from "../../../src/parser/dump";
import { parse } from "../../../src/parser/parse";

describe("heredocs", () => {
  it("RUN <<EOF keeps the body verbatim and spans it", () => {
    const ast = parse("FROM a\nRUN <<EOF\necho 'hi' \\\n  # not a comment\nEOF\nUSER x\n");
    const run = ast.instructions[1];
    expect(run.args.map((a) => a.value)).toEqual(["<<EOF"]);
    expect(run.heredocs).toEqual([
      { name: "EOF", content: "echo 'hi' \\\n  # not a comment\n", expand: true, chomp: false },
    ]);
    expect([run.span.start.line, run.span.end.line]).toEqual([2, 5]);
    expect(ast.instructions[2].keyword).toBe("USER");
    expect(dumpBuildkit(ast)).toBe('(from "a")\n(run "<<EOF")\n(user "x")');
  });

  it("reads several heredocs of one line in order, each up to its own terminator", () => {
    const ast = parse("FROM a\nCOPY <<X <<Y /dest\nY\nX\nX\nY\n");
    const copy = ast.instructions[1];
    expect(copy.heredocs.map((h) => [h.name, h.content])).toEqual([
      ["X", "Y\n"],
      ["Y", "X\n"],
    ]);
    expect(dumpBuildkit(ast).split("\n")[1]).toBe('(copy "<<X" "<<Y" "/dest")');
    expect(copy.span.end.line).toBe(6);
  });

  it("<<- matches a tab-indented terminator and keeps the body's tabs", () => {
    const ast = parse("FROM a\nRUN <<-EOT\n\tbaz\n\tquux\n\t\tEOT\n");
    expect(ast.instructions[1].heredocs).toEqual([
      { name: "EOT", content: "\tbaz\n\tquux\n", expand: true, chomp: true },
    ]);
  });

  it.each([
    ["<<'EOF'", "EOF", false],
    ['<<"EOF"', "EOF", false],
    ['<<E"O"F', "EOF", false],
    ["<<EOF", "EOF", true],
    ["<<  EOF", "EOF", true],
    ["<<$EOF", "$EOF", true],
  ])("%s → name %s, expand %s", (marker, name, expand) => {
    const ast = parse(`FROM a\nRUN cat ${marker} > /f\nbody\n${name}\n`);
    expect(ast.instructions[1].heredocs.map((h) => [h.name, h.expand])).toEqual([[name, expand]]);
  });

  it("takes a file descriptor prefix", () => {
    const ast = parse("FROM a\nRUN cat 3<<EOF\nx\nEOF\n");
    expect(ast.instructions[1].heredocs[0]).toMatchObject({ name: "EOF", fileDescriptor: 3, content: "x\n" });
  });

  it("ONBUILD RUN <<EOF carries the heredoc on the node and its child", () => {
    const ast = parse("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n");
    const onbuild = ast.instructions[1];
    expect(onbuild.heredocs.map((h) => h.content)).toEqual(["echo hi\n"]);
    expect(onbuild.child?.heredocs.map((h) => h.name)).toEqual(["EOF"]);
    expect(dumpBuildkit(ast).split("\n")[1]).toBe('(onbuild (run "<<EOF"))');
  });

  it.each([
    ['RUN ["cat", "<<EOF"]', "exec form"],
    ['RUN echo "<<EOF"', "a quoted marker"],
    ["ENV A=<<EOF", "an instruction without heredocs"],
    ["RUN cat<<EOF", "a marker glued to another word"],
  ])("%s: %s starts no heredoc", (line) => {
    const ast = parse(`FROM a\n${line}\nEOF\n`);
    expect(ast.instructions[1].heredocs).toEqual([]);
    expect(ast.instructions[2].keyword).toBe("EOF");
  });

  it("keeps CRLF line endings of the body and accepts a CRLF terminator", () => {
    const ast = parse("FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\n");
    expect(ast.instructions[1].heredocs[0].content).toBe("x\r\n");
  });

  it("reports an unterminated heredoc at its marker", () => {
    let err: unknown;
    try {
      parse("FROM a\nRUN   cat <<EOF\nline\n", { file: "df" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DockerfileError);
    const e = err as DockerfileError;
    expect(e.message).toBe("df:2:11: unterminated heredoc EOF");
    expect([e.line, e.column]).toEqual([2, 11]);
  });

  it("reports the heredoc left open when a line ends the file inside a continuation", () => {
    expect(() => parse("FROM a\nRUN cat <<EOF \\\n")).toThrow(/unterminated heredoc EOF/);
  });
});
