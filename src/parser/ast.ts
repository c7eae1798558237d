/**
 * The low-level Dockerfile AST: what the nearley grammar yields, before any instruction is typed.
 * It mirrors BuildKit's parser.Node closely enough that `dumpBuildkit` reproduces BuildKit's
 * golden dumps, and adds exact source spans for error messages.
 *
 * Lines and columns are 1-based; columns count UTF-16 code units of the physical line.
 * `end` is inclusive of the last character of the construct (end.column points at it).
 */
export interface Position {
  line: number;
  column: number;
}

export interface Span {
  start: Position;
  end: Position;
}

/** A parser directive at the top of the file: `# syntax=...`, `# escape=...`, `# check=...`. */
export interface Directive {
  name: "syntax" | "escape" | "check";
  value: string;
  span: Span;
}

/** One heredoc attached to RUN/COPY/ADD (or ONBUILD wrapping one of them). */
export interface Heredoc {
  /** Terminator word with quotes removed, e.g. EOF for `<<"EOF"`. */
  name: string;
  /** Body exactly as written, each line keeping its trailing "\n"; terminator line excluded. */
  content: string;
  /** False when any part of the terminator word was quoted: the body is not expanded. */
  expand: boolean;
  /** True for `<<-`: leading tabs are stripped from body lines and the terminator. */
  chomp: boolean;
  /** File descriptor number written before `<<` (`3<<EOF`), if any. */
  fileDescriptor?: number;
}

/** A word of the instruction after the keyword (a flag or an argument) with where it was written. */
export interface Word {
  value: string;
  span: Span;
}

/** One instruction (one logical line plus any heredoc bodies). */
export interface InstructionNode {
  /** The keyword exactly as written (`From`, `copy`, ...). */
  keyword: string;
  keywordSpan: Span;
  /** Leading `--flag[=value]` words, quotes removed, as BuildKit's Node.Flags. */
  flags: Word[];
  /**
   * Argument nodes in BuildKit's shape for this keyword (see the conformance README's table):
   * ENV/LABEL are flat key, value, sep triples; RUN/CMD/... shell form is one string.
   * For ONBUILD this is empty and `child` holds the wrapped instruction.
   */
  args: Word[];
  /** Exec (JSON array) form. */
  json: boolean;
  /** The wrapped instruction of ONBUILD. */
  child?: InstructionNode;
  heredocs: Heredoc[];
  /**
   * The comment lines directly above the instruction (BuildKit's PrevComment), `#` and outer
   * white space removed; an empty `#` line starts a new block. Absent when there are none.
   */
  comments?: string[];
  /** The logical line after continuations were joined, trimmed (BuildKit's Node.Original). */
  original: string;
  /** From the keyword to the last physical line consumed (heredoc bodies included). */
  span: Span;
}

export interface DockerfileAst {
  /** Display name used in errors (the path given, or "Dockerfile"). */
  file: string;
  directives: Directive[];
  /** The escape character in force: "\\" or "`". */
  escapeToken: string;
  instructions: InstructionNode[];
  /** Physical lines of the source (BOM and line endings removed), for error rendering. */
  lines: string[];
  /** From the first instruction's start line to the last one's end line. */
  span: Span;
}
