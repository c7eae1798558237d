#!/usr/bin/env node
import { runCli } from "./run-cli";

// The bin entry: everything testable lives in runCli, which never calls process.exit itself.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tsbuild: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
