import type { Argv, ArgumentsCamelCase } from "yargs";

/** One CLI subcommand's module: its yargs options and a handler that resolves to the exit status. */
export interface CliCommand {
  builder: (y: Argv) => Argv;
  run: (args: ArgumentsCamelCase) => Promise<number>;
}

/**
 * A subcommand as `--help` lists it. Its module (options, handler and everything they import)
 * is loaded only when yargs selects the command: `tsbuild images` never loads the build engine.
 */
export interface CommandEntry {
  command: string | string[];
  describe: string;
  load: () => CliCommand;
}
