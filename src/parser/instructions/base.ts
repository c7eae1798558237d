import type { InstructionNode, Span, Word } from "../ast";

/** What every typed instruction carries: its kind tag, the raw node it came from, and its span. */
export interface InstructionBase<K extends string> {
  kind: K;
  node: InstructionNode;
  span: Span;
}

export function base<K extends string>(kind: K, node: InstructionNode): InstructionBase<K> {
  return { kind, node, span: node.span };
}

/**
 * A command in exec form (`["a", "b"]`: args used as argv) or shell form (one string run through
 * the stage's SHELL), like BuildKit's ShellDependantCmdLine.
 */
export interface CommandLine {
  form: "exec" | "shell";
  /** Exec form: argv. Shell form: one element holding the whole command text, unexpanded. */
  args: string[];
}

export function commandLine(node: InstructionNode, words: readonly Word[] = node.args): CommandLine {
  return { form: node.json ? "exec" : "shell", args: words.map((w) => w.value) };
}

/** The span pointing after the keyword when an argument is missing: the keyword itself. */
export function missingArgumentSpan(node: InstructionNode): Span {
  return node.keywordSpan;
}

/** True when the text refers to a variable (`$X`, `${X}`), so its value is only known after expansion. */
export function hasVariable(text: string): boolean {
  return /\$(?:[A-Za-z_{]|[0-9])/.test(text);
}
