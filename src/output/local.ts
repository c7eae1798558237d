import * as fs from "node:fs";
import type { Image } from "../image/image";
import { applyLayer } from "../rootfs/unpack/apply-layer";
import type { ApplyOptions } from "../rootfs/unpack/options";

/**
 * type=local: the image's root filesystem unpacked into `dir` (created if missing), layers
 * applied oldest first with whiteouts, through the unpacker (src/image/unpack).
 */
export async function writeLocal(image: Image, dir: string, opts: ApplyOptions = {}): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  for (const layer of image.layers) {
    await applyLayer(await layer.uncompressed(), dir, opts);
  }
}
