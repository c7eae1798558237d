import type { ArgumentsCamelCase } from "yargs";
import type { CliCommand } from "../command";
import { buildCommand } from "./build";

/**
 * `tsbuild verify [build flags] CONTEXT`: `build --verify` — build, rebuild from an empty
 * temporary cache, and report whether every layer and the image are byte-identical (exit 0) or
 * not (exit 1, naming the first file that differs).
 */
export const verifyCommand: CliCommand = {
  builder: buildCommand.builder,
  run: (args: ArgumentsCamelCase) => buildCommand.run({ ...args, verify: true }),
};
