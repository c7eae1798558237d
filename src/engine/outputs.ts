import type { CacheStore } from "../cache";
import type { Image } from "../image/image";
import { pushImage } from "../registry/push";
import { parseTag } from "../registry/reference";
import { writeDockerArchive } from "../output/docker-archive";
import { writeLocal } from "../output/local";
import { writeOciArchive } from "../output/oci-archive";
import { writeOciLayout, type OciLayoutOptions } from "../output/oci-layout";
import type { AttestationManifest } from "../attest/in-toto";
import { writeRootfsTar } from "../output/rootfs-tar";
import { BuildError } from "./errors";
import type { OutputSpec } from "./output-spec";
import type { BuildEventListener } from "./progress";

/** Phase: writes the image to each `--output` destination, one after the other. */
export async function writeOutputs(
  image: Image,
  outputs: readonly OutputSpec[],
  opts: {
    tags: readonly string[];
    /** Attestation manifests for OCI outputs (other outputs have no place for them, as in BuildKit). */
    attestations?: readonly AttestationManifest[];
    emit: BuildEventListener;
    tmpDir: string;
    store: CacheStore;
    insecure?: readonly string[];
    signal?: AbortSignal;
  },
): Promise<void> {
  for (const out of outputs) {
    const what = "dest" in out ? `${out.type} ${out.dest}` : out.type;
    const started = Date.now();
    opts.emit({ type: "export-start", what });
    const dest = "dest" in out && out.dest === "-" ? process.stdout : undefined;
    switch (out.type) {
      case "oci":
        if (out.tar) await writeOciArchive(image, dest ?? out.dest, ociOptions(opts));
        else await writeOciLayout(image, out.dest, ociOptions(opts));
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
        // The local image store always receives the image; push=true also sends it away.
        if (out.push) await push(image, out.names ?? [...opts.tags], opts);
        break;
      case "registry":
        await push(image, out.names ?? [...opts.tags], opts);
        break;
    }
    opts.emit({ type: "export-done", what, durationMs: Date.now() - started });
  }
}

/** `type=registry` / `--push`: each name receives the image; the digest is the build's. */
async function push(
  image: Image,
  names: readonly string[],
  opts: { store: CacheStore; insecure?: readonly string[]; signal?: AbortSignal },
): Promise<void> {
  if (names.length === 0)
    throw new BuildError("OUTPUT_NO_NAME", "--output type=registry needs name=<ref> or a -t tag");
  for (const name of names) {
    await pushImage(image, name, {
      store: opts.store,
      ...(opts.insecure ? { insecure: opts.insecure } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
}

function ociOptions(opts: {
  tags: readonly string[];
  attestations?: readonly AttestationManifest[];
}): OciLayoutOptions {
  return {
    ...refName(opts.tags),
    ...(opts.attestations && opts.attestations.length > 0 ? { attestations: opts.attestations } : {}),
  };
}

/** The OCI index's ref.name annotation: the first tag's tag part, like buildx's oci exporter. */
function refName(tags: readonly string[]): { refName?: string } {
  const first = tags[0];
  return first === undefined ? {} : { refName: parseTag(first).tag ?? "latest" };
}
