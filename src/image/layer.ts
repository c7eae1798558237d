import type { Readable } from "node:stream";

/**
 * A filesystem layer, whatever made it: a COPY/ADD builder, a RUN step's diff, the cache, a
 * registry pull. Like go-containerregistry's v1.Layer. Streams are fresh on every call; nothing
 * holds a whole layer in memory.
 */
export interface Layer {
  /** sha256 digest of the compressed blob, "sha256:<hex>". */
  digest(): Promise<string>;
  /** sha256 digest of the uncompressed tar (the OCI diff_id). */
  diffId(): Promise<string>;
  /** Size in bytes of the compressed blob. */
  size(): Promise<number>;
  /** OCI media type of the blob, e.g. application/vnd.oci.image.layer.v1.tar+gzip. */
  mediaType(): Promise<string>;
  /** The blob as stored/shipped. */
  compressed(): Promise<Readable>;
  /** The plain tar. */
  uncompressed(): Promise<Readable>;
}
