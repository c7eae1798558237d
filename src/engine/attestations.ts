import { attestationManifest, type AttestationManifest, type InTotoStatement } from "../attest/in-toto";
import { provenanceStatement } from "../attest/provenance";
import { sbomStatement } from "../attest/sbom";
import type { Image } from "../image/image";
import { manifestDescriptor } from "../image/image";
import type { Plan } from "../planner/plan";
import { formatPlatform } from "../planner/platform";
import { familiarName, parseReference, tryParseReference } from "../registry/reference";
import type { StepOutcome } from "./stage-result";

/** `--attest type=provenance[,mode=min|max]` / `--provenance`, `--attest type=sbom` / `--sbom`. */
export type AttestSpec = { type: "provenance"; mode: "min" | "max" } | { type: "sbom"; generator?: string };

export interface AttestationContext {
  image: Image;
  plan: Plan;
  tags: readonly string[];
  buildArgs: Readonly<Record<string, string>>;
  target?: string;
  dockerfile: string;
  dockerfileText: string;
  steps: readonly StepOutcome[];
  startedOn: Date;
  /** A directory the SBOM scanner may unpack the image into. */
  tmpDir: string;
  env: NodeJS.ProcessEnv;
}

/** The attestation manifest for the requested attestations, or undefined when none was asked for. */
export async function buildAttestations(
  specs: readonly AttestSpec[],
  ctx: AttestationContext,
): Promise<AttestationManifest[]> {
  if (specs.length === 0) return [];
  const desc = await manifestDescriptor(ctx.image);
  const platform = formatPlatform({
    os: ctx.image.config.os,
    architecture: ctx.image.config.architecture,
    ...(ctx.image.config.variant !== undefined ? { variant: ctx.image.config.variant } : {}),
  });
  const names = ctx.tags.map((t) => {
    const ref = parseReference(t);
    return { name: familiarName(ref), ...(ref.tag !== undefined ? { tag: ref.tag } : {}) };
  });
  const statements: InTotoStatement[] = [];
  for (const spec of specs) {
    if (spec.type === "provenance") {
      const dependencies = ctx.plan.stages.flatMap((s) => {
        if (s.base.kind !== "image") return [];
        const ref = tryParseReference(s.base.ref);
        return [
          {
            name: ref ? familiarName(ref) : s.base.ref,
            ...(ref?.tag !== undefined ? { tag: ref.tag } : {}),
            digest: s.base.digest,
          },
        ];
      });
      statements.push(
        provenanceStatement({
          mode: spec.mode,
          names,
          digest: desc.digest,
          platform,
          dependencies,
          buildArgs: ctx.buildArgs,
          ...(ctx.target !== undefined ? { target: ctx.target } : {}),
          dockerfile: ctx.dockerfile,
          dockerfileText: ctx.dockerfileText,
          steps: ctx.steps.map((s) => ({ id: s.id, display: s.display })),
          startedOn: ctx.startedOn,
          finishedOn: new Date(),
        }),
      );
    } else {
      statements.push(
        await sbomStatement(ctx.image, { names, digest: desc.digest, platform }, ctx.tmpDir, ctx.env),
      );
    }
  }
  return [attestationManifest(statements, desc)];
}
