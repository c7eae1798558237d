#!/usr/bin/env node
import { maybeReexec } from "./reexec";
import { reportError, runCli } from "./run-cli";

// The bin entry: everything testable lives in runCli, which never calls process.exit itself.
// A non-root user's command first moves into a user namespace (rootless builds).
async function main(argv: string[]): Promise<number> {
  try {
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
