import type { DockerfileAst, InstructionNode } from "./ast";

/**
 * Turns an AST back into Dockerfile text that parses to an equal AST (spans and physical lines
 * aside): directives, then each instruction's logical line on one physical line, then its heredoc
 * bodies and terminators. Comments and the original line breaks are not kept.
 */
export function printDockerfile(ast: DockerfileAst): string {
  const escape = ast.escapeToken;
  let out = "";
  for (const d of ast.directives) out += `# ${d.name}=${d.value}\n`;
  if (ast.escapeToken !== "\\" && !ast.directives.some((d) => d.name === "escape"))
    out += `# escape=${escape}\n`;
  for (const node of ast.instructions) out += printInstruction(node, escape);
  // parse() drops a leading byte-order mark, so one that belongs to the first keyword needs a line before it.
  return out.charCodeAt(0) === 0xfeff ? "\n" + out : out;
}

function printInstruction(node: InstructionNode, escape: string): string {
  let line = node.original;
  // The original was trimmed of all white space, so it may now end in the escape character,
  // which on its own line would read as a continuation. A form feed is white space to the
  // trimmer but not to the continuation rule, so it keeps the line whole.
  if (line.endsWith(escape)) line += "\f";
  // An instruction can be empty only when the file ended inside a continuation of blank pieces.
  if (line.length === 0) line = escape;
  let out = line + "\n";
  for (const h of node.heredocs) {
    out += h.content;
    out += h.name + "\n";
  }
  return out;
}
