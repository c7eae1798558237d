/** `--load` and `--annotation` (buildx's spelling), turned into outputs and annotation specs. */
import type { ArgumentsCamelCase, Options } from "yargs";
import { parseAnnotation, type AnnotationSpec } from "../engine/annotations";
import type { OutputSpec } from "../engine/output-spec";
import { stringList } from "./store-option";
import { UsageError } from "../errors";

export const outputOptionSpecs: Record<string, Options> = {
  load: {
    type: "boolean",
    describe:
      "also load the image into docker or podman (= -o type=docker): $TSBUILD_LOAD=podman|docker|none, else docker if its daemon is reachable, else podman",
  },
  annotation: {
    type: "string",
    requiresArg: true,
    describe:
      "annotation [manifest|index|manifest-descriptor|index-descriptor[PLATFORM]:]KEY=VALUE (default: the manifest); repeatable",
  },
};

/** The load output `--load` adds (none without the flag); a bad $TSBUILD_LOAD is a usage error. */
export function loadOutputs(args: ArgumentsCamelCase, env: NodeJS.ProcessEnv): OutputSpec[] {
  const chosen = env.TSBUILD_LOAD;
  if (chosen !== undefined && chosen !== "" && !["podman", "docker", "none"].includes(chosen))
    throw new UsageError(`TSBUILD_LOAD: "${chosen}" is not podman, docker or none`);
  return args.load === true ? [{ type: "load" }] : [];
}

export function annotationArgs(args: ArgumentsCamelCase): AnnotationSpec[] {
  return stringList(args.annotation).flatMap(parseAnnotation);
}
