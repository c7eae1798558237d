/** OCI and Docker media types tsbuild reads and writes. */
export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerLayerZstd: "application/vnd.docker.image.rootfs.diff.tar.zstd",
} as const;

export type MediaTypeName = (typeof MediaType)[keyof typeof MediaType];

/** Layer compression, as named in media types and on the command line (compression=...). */
export type Compression = "gzip" | "zstd" | "uncompressed";

export function layerMediaType(compression: Compression, style: "oci" | "docker" = "oci"): string {
  if (style === "docker") {
    return compression === "gzip"
      ? MediaType.dockerLayerGzip
      : compression === "zstd"
        ? MediaType.dockerLayerZstd
        : MediaType.dockerLayer;
  }
  return compression === "gzip"
    ? MediaType.ociLayerGzip
    : compression === "zstd"
      ? MediaType.ociLayerZstd
      : MediaType.ociLayer;
}

/** The compression a layer media type implies, or undefined if it is not a layer type we know. */
export function compressionOfMediaType(mediaType: string): Compression | undefined {
  switch (mediaType) {
    case MediaType.ociLayerGzip:
    case MediaType.dockerLayerGzip:
      return "gzip";
    case MediaType.ociLayerZstd:
    case MediaType.dockerLayerZstd:
      return "zstd";
    case MediaType.ociLayer:
    case MediaType.dockerLayer:
      return "uncompressed";
    default:
      return undefined;
  }
}
