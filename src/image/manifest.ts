import { canonicalDescriptor, sortedRecord, type Descriptor } from "./descriptor";
import { MediaType } from "./media-types";

/** OCI image manifest (application/vnd.oci.image.manifest.v1+json). */
export interface OciManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** OCI image index (index.json of a layout, or a multi-platform list). */
export interface OciIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** One image of a Docker archive's manifest.json. */
export interface DockerManifestEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** The annotation that names a tag inside an OCI layout's index.json. */
export const AnnotationRefName = "org.opencontainers.image.ref.name";

export function serializeManifest(manifest: OciManifest): Buffer {
  const out: OciManifest = {
    schemaVersion: 2,
    mediaType: manifest.mediaType,
    config: canonicalDescriptor(manifest.config),
    layers: manifest.layers.map(canonicalDescriptor),
  };
  if (manifest.annotations && Object.keys(manifest.annotations).length > 0)
    out.annotations = sortedRecord(manifest.annotations);
  return Buffer.from(JSON.stringify(out), "utf8");
}

export function serializeIndex(index: OciIndex): Buffer {
  const out: OciIndex = {
    schemaVersion: 2,
    mediaType: index.mediaType,
    manifests: index.manifests.map(canonicalDescriptor),
  };
  if (index.annotations && Object.keys(index.annotations).length > 0)
    out.annotations = sortedRecord(index.annotations);
  return Buffer.from(JSON.stringify(out), "utf8");
}

/** An index holding one manifest, optionally tagged (as in an OCI layout's index.json). */
export function singleManifestIndex(manifest: Descriptor, tag?: string): OciIndex {
  const desc: Descriptor = { ...manifest };
  if (tag !== undefined) desc.annotations = { ...(desc.annotations ?? {}), [AnnotationRefName]: tag };
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [desc] };
}

export function serializeDockerManifest(entries: DockerManifestEntry[]): Buffer {
  return Buffer.from(
    JSON.stringify(
      entries.map((e) => ({ Config: e.Config, RepoTags: [...e.RepoTags], Layers: [...e.Layers] })),
    ),
    "utf8",
  );
}
