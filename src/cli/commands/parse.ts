import { readFile } from "node:fs/promises";
import type { Argv, ArgumentsCamelCase } from "yargs";
import { TsbuildError, UsageError } from "../../errors";
import { dumpBuildkit } from "../../parser/dump";
import type { Instruction } from "../../parser/instruction";
import { analyzeDockerfile, type Dockerfile } from "../../parser/load";
import type { LintWarning } from "../../parser/lint";
import { parse } from "../../parser/parse";
import type { CliCommand } from "../command";
import { readAll } from "../../bytes";

/** The Dockerfile could not be read (missing, a directory, unreadable). */
export class DockerfileReadError extends TsbuildError {
  constructor(file: string, cause: unknown) {
    // Node's fs errors carry a code (ENOENT, EISDIR, EACCES): the short, stable part to show.
    const code = typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined;
    const reason = typeof code === "string" ? code : String(cause);
    super("DOCKERFILE_READ", `read Dockerfile ${file}: ${reason}`, { cause });
  }
}

/**
 * `tsbuild parse [--json|--dump] [-f FILE] [FILE]`: shows how tsbuild reads a Dockerfile — the
 * typed instructions by stage with lint warnings (default listing or `--json`), or BuildKit's
 * raw AST dump (`--dump`). Exit 0 when it parses, 1 with a located error when it does not.
 */
export const parseCommand: CliCommand = {
  builder: (y: Argv) =>
    y
      .positional("file", {
        type: "string",
        describe: "Dockerfile to read (default ./Dockerfile, - for stdin)",
      })
      .option("f", { type: "string", describe: "Dockerfile to read (same as FILE)" })
      .option("json", { type: "boolean", describe: "print stages, instructions and warnings as JSON" })
      .option("dump", { type: "boolean", describe: "print BuildKit's parser dump of the raw AST" })
      .conflicts("json", "dump"),
  run: async (args: ArgumentsCamelCase) => {
    const positional = typeof args.file === "string" ? args.file : undefined;
    const flagged = typeof args.f === "string" ? args.f : undefined;
    if (positional !== undefined && flagged !== undefined && positional !== flagged) {
      throw new UsageError(
        `parse: give the Dockerfile either as FILE or with -f, not both (${flagged}, ${positional})`,
      );
    }
    const file = flagged ?? positional ?? "Dockerfile";
    const text = await readDockerfile(file);
    const display = file === "-" ? "Dockerfile" : file;
    const ast = parse(text, { file: display });
    if (args.dump === true) {
      process.stdout.write(dumpBuildkit(ast) + "\n");
      return 0;
    }
    const dockerfile = analyzeDockerfile(ast);
    if (args.json === true) {
      process.stdout.write(JSON.stringify(toJson(dockerfile), omitNodes, 2) + "\n");
      return 0;
    }
    process.stdout.write(listing(dockerfile));
    for (const warning of dockerfile.warnings) process.stderr.write(formatWarning(display, warning) + "\n");
    return 0;
  },
};

async function readDockerfile(file: string): Promise<string> {
  try {
    if (file === "-") {
      return (await readAll(process.stdin)).toString("utf8");
    }
    return await readFile(file, "utf8");
  } catch (err) {
    throw new DockerfileReadError(file, err);
  }
}

function toJson(dockerfile: Dockerfile): object {
  return {
    file: dockerfile.ast.file,
    directives: dockerfile.ast.directives,
    metaArgs: dockerfile.metaArgs,
    stages: dockerfile.stages,
    warnings: dockerfile.warnings,
  };
}

/** Drops the raw nodes from the JSON: the typed fields already say everything, with spans. */
function omitNodes(key: string, value: unknown): unknown {
  return key === "node" ? undefined : value;
}

export function formatWarning(file: string, warning: LintWarning): string {
  const { line, column } = warning.span.start;
  return `warning: ${file}:${line}:${column}: ${warning.rule}: ${warning.message}`;
}

/** The human listing: global ARGs, then each stage's FROM and instructions with line numbers. */
function listing(dockerfile: Dockerfile): string {
  const lines: string[] = [];
  const width = String(dockerfile.ast.span.end.line).length;
  const at = (instruction: Instruction): string => String(instruction.span.start.line).padStart(width);
  for (const arg of dockerfile.metaArgs) lines.push(`${at(arg)}  ${arg.node.original}`);
  for (const stage of dockerfile.stages) {
    const name = stage.name === undefined ? "" : ` "${stage.name}"`;
    const platform = stage.platform === undefined ? "" : ` for ${stage.platform}`;
    lines.push(`stage ${stage.index}${name}: from ${stage.baseName}${platform}`);
    lines.push(`${at(stage.from)}  ${stage.from.node.original}`);
    for (const instruction of stage.instructions) {
      lines.push(`${at(instruction)}    ${describe(instruction)}`);
    }
  }
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? "" : "s"}`;
  lines.push(
    `${dockerfile.ast.file}: ${count(dockerfile.stages.length, "stage")}, ${count(dockerfile.instructions.length, "instruction")}, ${count(dockerfile.warnings.length, "warning")}`,
  );
  return lines.join("\n") + "\n";
}

/** One instruction on one line: its source text, plus what the typed model found in it. */
function describe(instruction: Instruction): string {
  const text = instruction.node.original;
  switch (instruction.kind) {
    case "RUN": {
      const notes = instruction.mounts.map((m) => `${m.type} mount at ${m.target ?? "(default)"}`);
      if (instruction.heredocs.length > 0) notes.push(`${instruction.heredocs.length} heredoc(s)`);
      return notes.length > 0 ? `${text}   [${notes.join("; ")}]` : text;
    }
    case "HEALTHCHECK":
      return `${text}   [test ${JSON.stringify(instruction.health.test)}]`;
    default:
      return text;
  }
}
