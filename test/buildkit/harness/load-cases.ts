import * as fs from "node:fs";
import * as path from "node:path";
import type { BuildkitCase } from "./case";

export interface LoadedCase {
  /** The file's base name: unique, stable, used for results and scratch dirs. */
  id: string;
  c: BuildkitCase;
}

const CASES = path.join(__dirname, "..", "cases");

/** Every case under cases/, sorted by file name; each file's default export is one case. */
export function loadCases(): LoadedCase[] {
  return fs
    .readdirSync(CASES)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(CASES, f)) as { default: BuildkitCase };
      return { id: f.replace(/\.ts$/, ""), c: mod.default };
    });
}

export function caseTitle(c: BuildkitCase): string {
  return c.variant ? `${c.name} (${c.variant})` : c.name;
}
