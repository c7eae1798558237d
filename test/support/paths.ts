import * as path from "node:path";

/** The repository root. */
export const repoRoot = path.resolve(__dirname, "..", "..");
/** Test and example inputs. */
export const fixturesRoot = path.join(repoRoot, "fixtures");
