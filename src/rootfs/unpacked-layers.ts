import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import type { LayerDirs } from "../cache/layer-dirs";
import type { BlobLayer } from "../image/blob-layer";
import { applyLayer } from "./unpack/apply-layer";
import { DEFAULT_NETWORK_LIMITS } from "../net/limits";
import { UnpackError } from "./unpack/errors";

/**
 * Layers unpacked once into the cache's content-addressed layer directories (`LayerDirs`, which
 * owns `<cache>/layers`: atomic placement, use records for prune), with overlayfs-style
 * whiteouts, so RUN steps can stack them as lower dirs and COPY can read them. One instance per
 * build: each layer is looked up (and its use recorded) once. The uncompressed stream must hash to
 * the layer's diff_id (as containerd checks on apply): the blob digest only proves the bytes are
 * the registry's, the diff_id that they are what the image config says.
 */
export class UnpackedLayers {
  private readonly pending = new Map<string, Promise<string>>();

  /** `maxSize`: bytes of content one layer may expand to (--max-layer-size). */
  constructor(
    private readonly dirs: LayerDirs,
    private readonly maxSize: number = DEFAULT_NETWORK_LIMITS.maxLayerSize,
  ) {}

  /**
   * Takes `dir` (a RUN step's upper dir, just diffed into `layer`) as the layer's directory, so
   * the next step stacks it as it is instead of unpacking the tar it was written to (a large
   * `apt-get install` layer: over a second). Nothing happens when the layer has a directory
   * already or `dir` is on another file system; `dir` is then left where it is.
   */
  async adopt(layer: BlobLayer, dir: string): Promise<void> {
    const diffId = layer.info.diffId;
    if (this.pending.has(diffId)) return;
    if (await this.dirs.adopt(diffId, layer.info.digest, dir))
      this.pending.set(diffId, Promise.resolve(this.dirs.path(diffId)));
  }

  /** The directory holding `layer`'s files, unpacking it first if needed. */
  dir(layer: BlobLayer): Promise<string> {
    const diffId = layer.info.diffId;
    let p = this.pending.get(diffId);
    if (!p) {
      p = this.dirs.ensure(diffId, layer.info.digest, async (tmp) => {
        const hash = createHash("sha256");
        const tar = await layer.uncompressed();
        const tap = new Transform({
          transform(chunk: Buffer, _enc, cb): void {
            hash.update(chunk);
            cb(null, chunk);
          },
        });
        tar.on("error", (err) => tap.destroy(err));
        tar.pipe(tap);
        await applyLayer(tap, tmp, { whiteoutMode: "overlay", devices: "create", maxSize: this.maxSize });
        const actual = `sha256:${hash.digest("hex")}`;
        if (actual !== diffId)
          throw new UnpackError(
            "UNPACK_DIFF_ID_MISMATCH",
            `unpack layer ${layer.info.digest}: its content hashes to ${actual}, not to the diff_id ${diffId} the image config gives`,
          );
      });
      this.pending.set(diffId, p);
      p.catch(() => this.pending.delete(diffId));
    }
    return p;
  }
}
