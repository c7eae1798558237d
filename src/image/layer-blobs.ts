import type { Image } from "./image";
import type { Layer } from "./layer";
import { ImageError } from "./errors";

/**
 * The same image with other blobs for its layers (another compression of the same tars): config,
 * history and diff_ids unchanged. Throws when a layer's diff_id differs from the one it replaces.
 */
export async function withLayerBlobs(image: Image, layers: readonly Layer[]): Promise<Image> {
  const diffIds = image.config.rootfs.diff_ids;
  if (layers.length !== image.layers.length)
    throw new ImageError(
      "LAYER_MISMATCH",
      `replace layers: ${layers.length} given for ${image.layers.length}`,
    );
  for (const [i, layer] of layers.entries()) {
    const diffId = await layer.diffId();
    if (diffId !== diffIds[i])
      throw new ImageError("LAYER_MISMATCH", `replace layer ${i}: diff_id ${diffId}, expected ${diffIds[i]}`);
  }
  // The manifest's annotations stay: they belong to the image, not to its layers' encoding.
  return Object.freeze({
    config: image.config,
    layers: Object.freeze([...layers]),
    ...(image.annotations !== undefined ? { annotations: image.annotations } : {}),
  });
}
