/** `--build-context NAME=SOURCE` (buildx's named contexts), validated before anything is read. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ArgumentsCamelCase, Options } from "yargs";
import { UsageError } from "../errors";
import { parseBuildContext, type NamedContext } from "../engine/named-contexts";
import { stringList } from "./store-option";

export const contextOptionSpecs: Record<string, Options> = {
  "build-context": {
    type: "string",
    requiresArg: true,
    describe:
      "named context for FROM NAME / COPY --from=NAME: NAME=DIR, NAME=docker-image://REF, NAME=oci-layout://PATH[:TAG|@DIGEST]; repeatable",
  },
};

export function buildContextArgs(args: ArgumentsCamelCase): NamedContext[] {
  const contexts = stringList(args.buildContext).map(parseBuildContext);
  const seen = new Set<string>();
  for (const c of contexts) {
    if (seen.has(c.name)) throw new UsageError(`--build-context: "${c.name}" given twice`);
    seen.add(c.name);
    if (c.kind === "dir" && !isDir(c.path))
      throw new UsageError(`--build-context ${c.name}=${c.path}: not a directory`);
    if (c.kind === "oci-layout" && !fs.existsSync(path.join(c.path, "index.json")))
      throw new UsageError(`--build-context ${c.name}: ${c.path} is not an OCI layout (no index.json)`);
  }
  return contexts;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
