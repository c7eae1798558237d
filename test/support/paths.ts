import * as path from "node:path";

/** The repository root. */
export const repoRoot = path.resolve(__dirname, "..", "..");
/** BuildKit's conformance vectors, read in place (never copied into the repo). */
export const conformanceRoot = path.resolve(repoRoot, "..", "shared", "conformance", "buildkit");
/** Test and example inputs. */
export const fixturesRoot = path.join(repoRoot, "fixtures");
