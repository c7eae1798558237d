import type { Argv, ArgumentsCamelCase } from "yargs";

/** One CLI subcommand: its yargs spec and a handler that resolves to the exit status. */
export interface CliCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  run: (args: ArgumentsCamelCase) => Promise<number>;
}
