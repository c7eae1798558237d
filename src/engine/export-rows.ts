import * as fsp from "node:fs/promises";
import type { PlatformImage } from "../image/image-index";
import type { PushProgress } from "../registry/push";
import type { BuildEventListener, TransferStatus } from "./progress";

/** Emits the status rows of one export (BuildKit's `exporting layers`, `pushing layers`, …). */
export type ExportStatus = (status: Omit<TransferStatus, "done"> & { done?: boolean }) => void;

export function exportStatus(emit: BuildEventListener, what: string): ExportStatus {
  return (s) => emit({ type: "export-status", what, ...s, done: s.done ?? true });
}

/** The bytes of the images' layers as the output carries them (compressed or not). */
export async function layerBytes(images: readonly PlatformImage[]): Promise<number> {
  let total = 0;
  for (const { image } of images) for (const layer of image.layers) total += await layer.size();
  return total;
}

/** `sending tarball` with the archive's size, once it is written (nothing for stdout). */
export async function tarballStatus(status: ExportStatus, dest: string | undefined): Promise<void> {
  if (dest === undefined) return;
  const size = (await fsp.stat(dest)).size;
  status({ status: "sending tarball", current: size, total: size });
}

/**
 * A push's rows: `pushing layers` while the blobs go up, one row per uploaded blob with its bytes
 * (blobs the registry had or mounted move no bytes and get none), then `pushing manifest for
 * NAME@DIGEST`, as buildx prints them.
 */
export function pushRows(status: ExportStatus): {
  start(): void;
  onProgress(p: PushProgress): void;
  end(name: string, digest: string): void;
} {
  return {
    start: () => status({ status: "pushing layers", done: false }),
    onProgress: (p) => {
      if (p.status !== "uploading" && p.status !== "uploaded") return;
      status({ status: p.digest, current: p.current, total: p.total, done: p.status === "uploaded" });
    },
    end: (name, digest) => {
      status({ status: "pushing layers" });
      status({ status: `pushing manifest for ${name}@${digest}` });
    },
  };
}
