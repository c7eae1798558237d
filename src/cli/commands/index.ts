import type { CliCommand } from "../command";
import { parseCommand } from "./parse";

/** Every subcommand, in the order `--help` lists them. */
export const commands: CliCommand[] = [parseCommand];
