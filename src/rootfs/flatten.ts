import * as fsp from "node:fs/promises";
import type { Readable } from "node:stream";
import { applyLayer } from "./unpack/apply-layer";

/** A layer as flattening needs it: its uncompressed tar. */
export interface TarSource {
  uncompressed(): Promise<Readable>;
}

/** The filesystem of `layers` (base first) applied in order into `dir`, whiteouts applied. */
export async function flattenLayers(layers: readonly TarSource[], dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  for (const layer of layers) await applyLayer(await layer.uncompressed(), dir, { whiteoutMode: "apply" });
}
