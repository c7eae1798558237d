/* eslint-disable @typescript-eslint/no-require-imports -- modules load only on the paths that use them */
import type * as ReexecModule from "./reexec";
import type * as RunCliModule from "./run-cli";

// The bin entry: everything testable lives in runCli, which never calls process.exit itself.
// A non-root user's command first moves into a user namespace (rootless builds). `--version`
// alone never gets here: the launcher (src/cli/launcher.ts) answers it without loading this.
async function main(argv: string[]): Promise<number> {
  const { reportError, runCli } = require("./run-cli") as typeof RunCliModule;
  try {
    const { maybeReexec } = require("./reexec") as typeof ReexecModule;
    const reexec = await maybeReexec(argv, process.env);
    if (reexec !== null) return reexec;
  } catch (err) {
    return reportError(err);
  }
  return runCli(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tsbuild: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
