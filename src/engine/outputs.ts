import type { CacheStore } from "../cache";
import * as path from "node:path";
import type { Platform } from "../image/descriptor";
import type { PlatformImage } from "../image/image-index";
import { formatPlatform } from "../image/platform";
import { UsageError } from "../errors";
import { pushImageIndex } from "../registry/push-index";
import { writeOciIndexArchive, writeOciIndexLayout } from "../output/oci-index-layout";
import { pushImage } from "../registry/push";
import { parseTag } from "../registry/reference";
import { writeDockerArchive } from "../output/docker-archive";
import { writeLocal } from "../output/local";
import { writeOciArchive } from "../output/oci-archive";
import { writeOciLayout } from "../output/oci-layout";
import { writeRootfsTar } from "../output/rootfs-tar";
import { BuildError } from "./errors";
import type { OutputSpec } from "./output-spec";
import type { BuildEventListener } from "./progress";

/**
 * Checked before the build: outputs that cannot hold several platforms refuse a multi-platform
 * build up front (buildx's docker exporter refuses manifest lists too).
 */
export function checkMultiPlatformOutputs(
  outputs: readonly OutputSpec[],
  platforms: readonly Platform[],
): void {
  if (platforms.length < 2) return;
  const list = platforms.map(formatPlatform).join(", ");
  for (const out of outputs) {
    if (out.type === "docker")
      throw new UsageError(
        `--output type=docker: a Docker archive holds one platform, this build has ${platforms.length} (${list}); ` +
          "use type=oci for a multi-platform image, or build one --platform at a time",
      );
    if (out.type === "tar")
      throw new UsageError(
        `--output type=tar: a root filesystem tar holds one platform, this build has ${platforms.length} (${list}); ` +
          "use type=local (one directory per platform) or build one --platform at a time",
      );
  }
}

/** Phase: writes the image to each `--output` destination, one after the other. */
export async function writeOutputs(
  images: readonly PlatformImage[],
  outputs: readonly OutputSpec[],
  opts: {
    tags: readonly string[];
    emit: BuildEventListener;
    tmpDir: string;
    store: CacheStore;
    insecure?: readonly string[];
    signal?: AbortSignal;
  },
): Promise<void> {
  checkMultiPlatformOutputs(
    outputs,
    images.map((i) => i.platform),
  );
  // One platform: the plain single-manifest outputs, exactly as before multi-platform builds.
  const image = images.length === 1 ? images[0].image : undefined;
  for (const out of outputs) {
    const what = "dest" in out ? `${out.type} ${out.dest}` : out.type;
    const started = Date.now();
    opts.emit({ type: "export-start", what });
    const dest = "dest" in out && out.dest === "-" ? process.stdout : undefined;
    switch (out.type) {
      case "oci":
        if (image === undefined) {
          if (out.tar) await writeOciIndexArchive(images, dest ?? out.dest, refName(opts.tags));
          else await writeOciIndexLayout(images, out.dest, refName(opts.tags));
        } else if (out.tar) await writeOciArchive(image, dest ?? out.dest, refName(opts.tags));
        else await writeOciLayout(image, out.dest, refName(opts.tags));
        break;
      case "docker":
        // checkMultiPlatformOutputs refused several platforms.
        await writeDockerArchive(images[0].image, dest ?? out.dest, { tags: [...opts.tags] });
        break;
      case "local":
        if (image !== undefined) await writeLocal(image, out.dest);
        else {
          // buildx's layout: one directory per platform, linux/arm/v7 → linux_arm_v7.
          for (const i of images)
            await writeLocal(i.image, path.join(out.dest, formatPlatform(i.platform).replace(/\//g, "_")));
        }
        break;
      case "tar":
        await writeRootfsTar(images[0].image, dest ?? out.dest);
        break;
      case "image":
        // The local image store always receives the image; push=true also sends it away.
        if (out.push) await push(images, out.names ?? [...opts.tags], opts);
        break;
      case "registry":
        await push(images, out.names ?? [...opts.tags], opts);
        break;
    }
    opts.emit({ type: "export-done", what, durationMs: Date.now() - started });
  }
}

/** `type=registry` / `--push`: each name receives the image; the digest is the build's. */
async function push(
  images: readonly PlatformImage[],
  names: readonly string[],
  opts: { store: CacheStore; insecure?: readonly string[]; signal?: AbortSignal },
): Promise<void> {
  if (names.length === 0)
    throw new BuildError("OUTPUT_NO_NAME", "--output type=registry needs name=<ref> or a -t tag");
  const pushOpts = {
    store: opts.store,
    ...(opts.insecure ? { insecure: opts.insecure } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  for (const name of names) {
    if (images.length === 1) await pushImage(images[0].image, name, pushOpts);
    else await pushImageIndex(images, name, pushOpts);
  }
}

/** The OCI index's ref.name annotation: the first tag's tag part, like buildx's oci exporter. */
function refName(tags: readonly string[]): { refName?: string } {
  const first = tags[0];
  return first === undefined ? {} : { refName: parseTag(first).tag ?? "latest" };
}
