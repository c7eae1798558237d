import type { CliCommand } from "../command";
import { buildCommand } from "./build";
import { duCommand } from "./du";
import { historyCommand } from "./history";
import { imagesCommand } from "./images";
import { inspectCommand } from "./inspect";
import { loginCommand, logoutCommand } from "./login";
import { parseCommand } from "./parse";
import { pruneCommand } from "./prune";
import { pushCommand } from "./push";
import { rmiCommand } from "./rmi";
import { saveCommand } from "./save";

/** Every subcommand, in the order `--help` lists them. */
export const commands: CliCommand[] = [
  buildCommand,
  imagesCommand,
  inspectCommand,
  historyCommand,
  saveCommand,
  pushCommand,
  rmiCommand,
  duCommand,
  pruneCommand,
  parseCommand,
  loginCommand,
  logoutCommand,
];
