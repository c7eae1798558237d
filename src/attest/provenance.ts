import * as os from "node:os";
import { randomUUID } from "node:crypto";
import { SLSA_PROVENANCE_V1, purl, type InTotoStatement } from "./in-toto";

/** What the engine knows of a build, for its provenance. */
export interface ProvenanceInput {
  mode: "min" | "max";
  /** Image names (-t), familiar form; the subject is named after each. */
  names: { name: string; tag?: string }[];
  /** The image manifest's digest. */
  digest: string;
  /** `os/arch[/variant]` of the image. */
  platform: string;
  /** Base images used: familiar name, tag and manifest digest. */
  dependencies: { name: string; tag?: string; digest: string }[];
  buildArgs: Readonly<Record<string, string>>;
  target?: string;
  /** Dockerfile name relative to the context, and its text (max mode records the source). */
  dockerfile: string;
  dockerfileText: string;
  /** The steps as run (max mode): label and instruction text. */
  steps: { id: string; display: string }[];
  startedOn: Date;
  finishedOn: Date;
}

/**
 * A SLSA v1 provenance statement in BuildKit's shape (buildType mobyproject.org/buildkit@v1):
 * the request (frontend, args, locals), the resolved base images, and run metadata. `max` adds
 * the build steps and the Dockerfile source, as BuildKit's mode=max adds its LLB and source map.
 */
export function provenanceStatement(input: ProvenanceInput): InTotoStatement {
  const hex = input.digest.replace(/^sha256:/, "");
  const subject = (input.names.length > 0 ? input.names : [{ name: "", tag: undefined }]).map((n) => ({
    name: n.name === "" ? "" : purl(n.name, n.tag, input.platform),
    digest: { sha256: hex },
  }));
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.buildArgs)) args[`build-arg:${k}`] = v;
  if (input.target !== undefined) args.target = input.target;
  if (input.dockerfile !== "Dockerfile") args.filename = input.dockerfile;
  const buildDefinition: Record<string, unknown> = {
    buildType: "https://mobyproject.org/buildkit@v1",
    externalParameters: {
      configSource: { path: input.dockerfile },
      request: {
        frontend: "dockerfile.v0",
        args,
        locals: [{ name: "context" }, { name: "dockerfile" }],
      },
    },
    internalParameters: {
      builderPlatform: `${os.platform()}/${process.arch === "x64" ? "amd64" : process.arch}`,
      ...(input.mode === "max"
        ? { buildConfig: { llbDefinition: input.steps.map((s) => ({ id: s.id, op: s.display })) } }
        : {}),
    },
    resolvedDependencies: input.dependencies.map((d) => ({
      uri: purl(d.name, d.tag, input.platform),
      digest: { sha256: d.digest.replace(/^sha256:/, "") },
    })),
  };
  const metadata: Record<string, unknown> = {
    invocationID: randomUUID(),
    startedOn: input.startedOn.toISOString(),
    finishedOn: input.finishedOn.toISOString(),
    buildkit_completeness: { request: true, resolvedDependencies: true },
    buildkit_hermetic: false,
    buildkit_metadata: {
      ...(input.mode === "max"
        ? {
            source: {
              infos: [
                {
                  filename: input.dockerfile,
                  language: "Dockerfile",
                  data: Buffer.from(input.dockerfileText).toString("base64"),
                },
              ],
            },
          }
        : {}),
    },
  };
  return {
    _type: "https://in-toto.io/Statement/v0.1",
    predicateType: SLSA_PROVENANCE_V1,
    subject,
    predicate: { buildDefinition, runDetails: { builder: { id: "" }, metadata } },
  };
}
