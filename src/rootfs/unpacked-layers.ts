import type { LayerDirs } from "../cache/layer-dirs";
import type { BlobLayer } from "../image/blob-layer";
import { applyLayer } from "./unpack/apply-layer";
import { DEFAULT_NETWORK_LIMITS } from "../net/limits";

/**
 * Layers unpacked once into the cache's content-addressed layer directories (`LayerDirs`, which
 * owns `<cache>/layers`: atomic placement, use records for prune), with overlayfs-style
 * whiteouts, so RUN steps can stack them as lower dirs and COPY can read them. One instance per
 * build: each layer is looked up (and its use recorded) once.
 */
export class UnpackedLayers {
  private readonly pending = new Map<string, Promise<string>>();

  /** `maxSize`: bytes of content one layer may expand to (--max-layer-size). */
  constructor(
    private readonly dirs: LayerDirs,
    private readonly maxSize: number = DEFAULT_NETWORK_LIMITS.maxLayerSize,
  ) {}

  /** The directory holding `layer`'s files, unpacking it first if needed. */
  dir(layer: BlobLayer): Promise<string> {
    const diffId = layer.info.diffId;
    let p = this.pending.get(diffId);
    if (!p) {
      p = this.dirs.ensure(diffId, layer.info.digest, async (tmp) => {
        await applyLayer(await layer.uncompressed(), tmp, {
          whiteoutMode: "overlay",
          devices: "create",
          maxSize: this.maxSize,
        });
      });
      this.pending.set(diffId, p);
      p.catch(() => this.pending.delete(diffId));
    }
    return p;
  }
}
