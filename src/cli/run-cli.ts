import type * as Yargs from "yargs";
import { TsbuildError, UsageError } from "../errors";
import { DockerfileError } from "../parser/errors";
import { commands } from "./commands";
import { fastParse, recordFlagTable } from "./fast-args";
import { cliVersion } from "./version";

/** Exit statuses, as `docker build`: 0 built/ok, 1 the operation failed, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Runs the CLI with the given arguments and resolves to the process exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const fast = fastBuild(argv);
  if (fast !== undefined) {
    try {
      return await fast();
    } catch (err) {
      return reportError(err);
    }
  }
  let status = EXIT_OK;
  // yargs' CommonJS build exports the factory itself (its `.default` is an instance).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the fast path declines
  const yargs = require("yargs") as (typeof Yargs)["default"];
  const parser = yargs(argv)
    .scriptName("tsbuild")
    .usage("$0 <command> [options]")
    .strict()
    .demandCommand(1, "a command is required (see --help)")
    .help()
    .alias("h", "help")
    .epilog(
      "Exit status: 0 success, 1 the build or command failed, 2 usage error, 130/143 interrupted (SIGINT/SIGTERM).",
    )
    .version(cliVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      // Throwing stops yargs before it runs a command's handler (recording the message did not:
      // `build --bogus .` still built). yargs' own validation errors are usage errors too.
      if (err && err.name !== "YError") throw err;
      throw new UsageError(msg || (err?.message ?? "invalid arguments"));
    });
  for (const entry of commands) {
    parser.command(
      entry.command,
      entry.describe,
      (y) => entry.load().builder(y),
      async (args) => {
        status = await entry.load().run(args);
      },
    );
  }
  // `tsbuild completion` prints a bash (and zsh bashcompinit) script that calls back into
  // `tsbuild --get-yargs-completions`, so completions follow the flags defined above.
  parser.completion("completion", "Print a shell completion script (tsbuild completion >> ~/.bashrc)");
  try {
    await parser.parseAsync();
  } catch (err) {
    return reportError(err);
  }
  return status;
}

/**
 * `tsbuild [build] …` parsed without yargs when every token is plainly valid (see fast-args.ts):
 * the build, ready to run; undefined when yargs must parse (help, other commands, errors).
 */
function fastBuild(argv: readonly string[]): (() => Promise<number>) | undefined {
  const [build] = commands;
  const explicit = argv[0] === "build";
  const first = argv.find((a) => !a.startsWith("-"));
  const names = new Set(commands.flatMap((c) => [c.command].flat()).map((c) => c.split(" ")[0]));
  // The default command ($0 [context]): CONTEXT must not be another command's name.
  if (
    build === undefined ||
    (!explicit && (first === undefined || names.has(first) || first === "completion"))
  )
    return undefined;
  const command = build.load();
  const table = recordFlagTable(command.builder);
  if (table === undefined) return undefined;
  const args = fastParse(explicit ? argv.slice(1) : argv, table, explicit ? ["build"] : []);
  if (args === undefined) return undefined;
  return () => command.run(args);
}

/** Prints a known error without a stack trace; unknown errors are internal bugs. */
export function reportError(err: unknown): number {
  if (err instanceof DockerfileError) {
    process.stderr.write(`error: ${err.render()}\n`);
    return EXIT_FAILED;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`tsbuild: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof TsbuildError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT_FAILED;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`tsbuild: internal error: ${message}\n`);
  return EXIT_FAILED;
}
