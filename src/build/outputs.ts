import type { Image } from "../image/image";
import { writeDockerArchive } from "../output/docker-archive";
import { writeLocal } from "../output/local";
import { writeOciArchive } from "../output/oci-archive";
import { writeOciLayout } from "../output/oci-layout";
import { writeRootfsTar } from "../output/rootfs-tar";
import { BuildError } from "./errors";
import type { OutputSpec } from "./output-spec";
import type { BuildEventListener } from "./progress";

/** Phase: writes the image to each `--output` destination, one after the other. */
export async function writeOutputs(
  image: Image,
  outputs: readonly OutputSpec[],
  opts: { tags: readonly string[]; emit: BuildEventListener; tmpDir: string },
): Promise<void> {
  for (const out of outputs) {
    const what = "dest" in out ? `${out.type} ${out.dest}` : out.type;
    const started = Date.now();
    opts.emit({ type: "export-start", what });
    const dest = "dest" in out && out.dest === "-" ? process.stdout : undefined;
    switch (out.type) {
      case "oci":
        if (out.tar) await writeOciArchive(image, dest ?? out.dest, refName(opts.tags));
        else await writeOciLayout(image, out.dest, refName(opts.tags));
        break;
      case "docker":
        await writeDockerArchive(image, dest ?? out.dest, { tags: [...opts.tags] });
        break;
      case "local":
        await writeLocal(image, out.dest);
        break;
      case "tar":
        await writeRootfsTar(image, dest ?? out.dest);
        break;
      case "image":
        if (out.push) throw new BuildError("OUTPUT_UNSUPPORTED", "--output type=image,push=true: pushing is not wired into builds yet");
        break; // the image store always receives the image
      case "registry":
        throw new BuildError("OUTPUT_UNSUPPORTED", "--output type=registry: pushing is not wired into builds yet");
    }
    opts.emit({ type: "export-done", what, durationMs: Date.now() - started });
  }
}

/** The OCI index's ref.name annotation: the first tag's tag part, like buildx's oci exporter. */
function refName(tags: readonly string[]): { refName?: string } {
  if (tags.length === 0) return {};
  const t = tags[0];
  const slash = t.lastIndexOf("/");
  const colon = t.lastIndexOf(":");
  return { refName: colon > slash ? t.slice(colon + 1) : "latest" };
}
