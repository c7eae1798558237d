import {
  ConformanceSourceError,
  CONFORMANCE_ENV,
  resolveConformanceDir,
} from "../support/conformance-source";
import { repoRoot } from "../support/paths";

/**
 * Runs once before `npm run test:conformance`: finds (or fetches) and verifies the vectors, then
 * hands their directory to the test workers through the environment they inherit.
 */
export default async function globalSetup(): Promise<void> {
  try {
    const dir = await resolveConformanceDir({
      repoRoot,
      env: process.env,
      log: (line) => process.stderr.write(line + "\n"),
    });
    process.env[CONFORMANCE_ENV] = dir;
    process.stderr.write(`conformance: BuildKit vectors from ${dir} (sha256 verified)\n`);
  } catch (err) {
    if (!(err instanceof ConformanceSourceError)) throw err;
    // A plain message, not a stack: the reader has to act on it.
    process.stderr.write(`\ntest:conformance: ${err.message}\n\n`);
    const quiet = new Error("BuildKit conformance vectors unavailable (see above)");
    quiet.stack = quiet.message;
    throw quiet;
  }
}
