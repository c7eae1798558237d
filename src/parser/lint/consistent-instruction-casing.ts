import type { InstructionNode } from "../ast";
import type { LintRule } from "./rule";

function keywordNodes(nodes: readonly InstructionNode[]): InstructionNode[] {
  return nodes.flatMap((node) => (node.child ? [node, ...keywordNodes([node.child])] : [node]));
}

/** Keywords should all be uppercase or all lowercase: whichever the file mostly uses. */
export const consistentInstructionCasing: LintRule = {
  name: "ConsistentInstructionCasing",
  description: "All commands within the Dockerfile should use the same casing (either upper or lower)",
  check({ ast }, report) {
    const nodes = keywordNodes(ast.instructions);
    let lower = 0;
    let upper = 0;
    for (const { keyword } of nodes) {
      if (keyword === keyword.toLowerCase()) lower++;
      else if (keyword === keyword.toUpperCase()) upper++;
    }
    const majorityLower = lower > upper;
    const majority = majorityLower ? "lowercase" : "uppercase";
    for (const { keyword, keywordSpan } of nodes) {
      const expected = majorityLower ? keyword.toLowerCase() : keyword.toUpperCase();
      if (keyword !== expected) {
        report(
          keywordSpan,
          `Command '${keyword}' should match the case of the command majority (${majority})`,
        );
      }
    }
  },
};
