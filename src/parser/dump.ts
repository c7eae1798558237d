import type { DockerfileAst, InstructionNode } from "./ast";
import { goQuote } from "./go-quote";
import { goTrimSpace } from "./whitespace";

/**
 * BuildKit's Node.Dump(): one `(keyword ["flags"] "arg"...)` line per instruction, the format of
 * the conformance `result` files.
 */
export function dumpInstruction(node: InstructionNode): string {
  let out = node.keyword.toLowerCase();
  if (node.flags.length > 0) out += ` [${node.flags.map((f) => goQuote(f.value)).join(" ")}]`;
  if (node.child !== undefined) out += ` (${dumpInstruction(node.child)})`;
  for (const arg of node.args) out += " " + goQuote(arg.value);
  return goTrimSpace(out);
}

export function dumpBuildkit(ast: DockerfileAst): string {
  return goTrimSpace(ast.instructions.map((n) => `(${dumpInstruction(n)})`).join("\n"));
}
