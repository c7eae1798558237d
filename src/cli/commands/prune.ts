import * as readline from "node:readline/promises";
import type { Argv, ArgumentsCamelCase } from "yargs";
import { prune, type PruneOptions } from "../../cache";
import { formatSize, parseDuration, parseSize } from "../../cache/units";
import { UsageError } from "../../errors";
import type { CliCommand } from "../command";
import { openStore, stringList, withCacheDirOption } from "../store-option";

/**
 * `tsbuild prune [--all] [--keep-storage 5GB] [--filter until=24h] [-f]`: garbage-collects the
 * cache (see src/cache/prune.ts for the policy). Asks first, as `docker builder prune` does,
 * unless -f; a non-interactive "no" (or end of input) cancels and exits 0.
 */
export const pruneCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y)
      .option("all", {
        alias: "a",
        type: "boolean",
        describe:
          "remove all unused build cache (step records, unpacked layers, cache mounts), not just unreferenced blobs",
      })
      .option("keep-storage", {
        type: "string",
        requiresArg: true,
        describe: "amount of disk space to keep, e.g. 5GB",
      })
      .option("filter", {
        type: "string",
        requiresArg: true,
        describe: "until=DURATION: only cache unused for that long (e.g. 24h); repeatable",
      })
      .option("force", { alias: "f", type: "boolean", describe: "do not prompt for confirmation" }),
  run: async (args: ArgumentsCamelCase) => {
    const options = pruneOptions(args);
    if (args.force !== true && !(await confirm(options))) {
      process.stderr.write("Prune cancelled.\n");
      return 0;
    }
    const store = await openStore(args);
    const result = await prune(store, options);
    process.stdout.write(
      `Removed ${result.recordsRemoved} step record(s), ${result.blobsRemoved} blob(s), ` +
        `${result.layersRemoved} unpacked layer(s), ${result.mountsRemoved} cache mount(s), ` +
        `${result.compressedRemoved} compressed layer(s), ` +
        `${result.tempFilesRemoved} temp file(s)\n` +
        `Total reclaimed space: ${formatSize(result.bytesFreed)}\n`,
    );
    return 0;
  },
};

function pruneOptions(args: ArgumentsCamelCase): PruneOptions {
  const options: PruneOptions = {};
  if (args.all === true) options.all = true;
  if (args.keepStorage !== undefined)
    options.keepStorage = wrap("--keep-storage", () => parseSize(String(args.keepStorage)));
  for (const filter of stringList(args.filter)) {
    const eq = filter.indexOf("=");
    const key = eq === -1 ? filter : filter.slice(0, eq);
    if (key !== "until")
      throw new UsageError(`--filter: unsupported filter "${filter}" (expected until=DURATION)`);
    options.until = wrap("--filter", () => parseDuration(filter.slice(eq + 1)));
  }
  return options;
}

/** Prefixes the flag to a unit parser's usage error, so the message names what was wrong. */
function wrap<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

async function confirm(options: PruneOptions): Promise<boolean> {
  const what =
    options.all === true || options.keepStorage !== undefined || options.until !== undefined
      ? "all unused build cache"
      : "unreferenced build cache blobs";
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  let closed = false;
  rl.on("close", () => (closed = true));
  try {
    const answer = await Promise.race([
      rl.question(`WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `),
      new Promise<string>((resolve) => rl.once("close", () => resolve(""))),
    ]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    if (!closed) rl.close();
  }
}
