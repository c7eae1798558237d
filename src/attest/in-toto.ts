import { createHash } from "node:crypto";
import type { Descriptor } from "../image/descriptor";
import { serializeManifest, type OciManifest } from "../image/manifest";
import { MediaType } from "../image/media-types";

export const IN_TOTO_MEDIA_TYPE = "application/vnd.in-toto+json";
export const SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
export const SPDX_DOCUMENT = "https://spdx.dev/Document";

/** An in-toto Statement (v0.1, as BuildKit writes them) about the image. */
export interface InTotoStatement {
  _type: "https://in-toto.io/Statement/v0.1";
  predicateType: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicate: unknown;
}

/** Blobs and the index entry of one attestation manifest, ready to write beside the image. */
export interface AttestationManifest {
  /** The entry for the image index: platform unknown/unknown, pointing back at the image. */
  descriptor: Descriptor;
  /** Every blob it needs (config, statement layers, the manifest itself), by digest. */
  blobs: { digest: string; data: Buffer }[];
}

function blob(data: Buffer): { digest: string; data: Buffer } {
  return { digest: `sha256:${createHash("sha256").update(data).digest("hex")}`, data };
}

/**
 * BuildKit's attestation manifest: an OCI manifest whose layers are in-toto statements (each
 * annotated with its predicate type), referenced from the image index with
 * `vnd.docker.reference.type: attestation-manifest` and the image manifest's digest.
 */
export function attestationManifest(
  statements: readonly InTotoStatement[],
  imageManifest: Descriptor,
): AttestationManifest {
  const layers = statements.map((s) => ({ s, b: blob(Buffer.from(JSON.stringify(s, null, 2))) }));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: "unknown",
        os: "unknown",
        config: {},
        rootfs: { type: "layers", diff_ids: layers.map((l) => l.b.digest) },
      }),
    ),
  );
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: config.digest, size: config.data.length },
    layers: layers.map(({ s, b }) => ({
      mediaType: IN_TOTO_MEDIA_TYPE,
      digest: b.digest,
      size: b.data.length,
      annotations: { "in-toto.io/predicate-type": s.predicateType },
    })),
  };
  const manifestBlob = blob(serializeManifest(manifest));
  return {
    descriptor: {
      mediaType: MediaType.ociManifest,
      digest: manifestBlob.digest,
      size: manifestBlob.data.length,
      annotations: {
        "vnd.docker.reference.digest": imageManifest.digest,
        "vnd.docker.reference.type": "attestation-manifest",
      },
      platform: { architecture: "unknown", os: "unknown" },
    },
    blobs: [config, ...layers.map((l) => l.b), manifestBlob],
  };
}

/** `pkg:docker/<name>@<tag>?platform=<os>%2F<arch>`: how BuildKit names subjects and dependencies. */
export function purl(name: string, tag: string | undefined, platform: string): string {
  const version = tag !== undefined ? `@${tag}` : "";
  return `pkg:docker/${name}${version}?platform=${encodeURIComponent(platform)}`;
}
