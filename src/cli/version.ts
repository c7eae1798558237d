import * as fs from "node:fs";
import * as path from "node:path";

/** Set by the CLI bundle (scripts/bundle-cli.js) so that the bundle reads no package.json. */
declare const TSBUILD_VERSION: string | undefined;

/** The package version `--version` prints. */
export function cliVersion(): string {
  if (typeof TSBUILD_VERSION === "string") return TSBUILD_VERSION;
  // Compiled by tsc (dist/cli/) or run from src/ by ts-jest: the package root is two levels up.
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as {
    version?: unknown;
  };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}
