import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { BlobLayer } from "../image/blob-layer";
import { digestHex } from "../image/digest";
import { applyLayer } from "./unpack/apply-layer";

/**
 * Layers unpacked once into content-addressed directories (`<cache>/layers/<diffID hex>`), with
 * overlayfs-style whiteouts, so RUN steps can stack them as lower dirs and COPY can read them.
 * A directory appears only complete: layers are unpacked into a temporary sibling and renamed
 * into place; when two builds race, the loser's copy is discarded.
 */
export class UnpackedLayers {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly root: string) {}

  /** The directory holding `layer`'s files, unpacking it first if needed. */
  dir(layer: BlobLayer): Promise<string> {
    const diffId = layer.info.diffId;
    let p = this.pending.get(diffId);
    if (!p) {
      p = this.unpack(layer);
      this.pending.set(diffId, p);
      p.catch(() => this.pending.delete(diffId));
    }
    return p;
  }

  private async unpack(layer: BlobLayer): Promise<string> {
    const final = path.join(this.root, digestHex(layer.info.diffId));
    if (await exists(final)) return final;
    await fsp.mkdir(this.root, { recursive: true });
    const tmp = path.join(this.root, `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
    await fsp.mkdir(tmp);
    try {
      await applyLayer(await layer.uncompressed(), tmp, { whiteoutMode: "overlay", devices: "create" });
      await fsp.rename(tmp, final).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err;
        await fsp.rm(tmp, { recursive: true, force: true });
      });
      return final;
    } catch (err) {
      await fsp.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}
