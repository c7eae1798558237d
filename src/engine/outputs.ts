import type { CacheStore } from "../cache";
import type { Image } from "../image/image";
import { pushImage } from "../registry/push";
import { formatReference, parseTag } from "../registry/reference";
import { writeDockerArchive } from "../output/docker-archive";
import { writeLocal } from "../output/local";
import { writeOciArchive } from "../output/oci-archive";
import { writeOciLayout } from "../output/oci-layout";
import { writeRootfsTar } from "../output/rootfs-tar";
import { loadIntoEngine, selectLoadEngine } from "../output/engine-load";
import { BuildError } from "./errors";
import type { OutputSpec } from "./output-spec";
import type { BuildEventListener } from "./progress";

/** Phase: writes the image to each `--output` destination, one after the other. */
export async function writeOutputs(
  image: Image,
  outputs: readonly OutputSpec[],
  opts: {
    tags: readonly string[];
    emit: BuildEventListener;
    tmpDir: string;
    store: CacheStore;
    insecure?: readonly string[];
    signal?: AbortSignal;
    /** For `type=load`: which engine (TSBUILD_LOAD) and the engine's environment. */
    env?: NodeJS.ProcessEnv;
    /** `--annotation index:` / `manifest-descriptor:` values for OCI layouts and archives. */
    layoutAnnotations?: { index?: Record<string, string>; descriptor?: Record<string, string> };
  },
): Promise<void> {
  for (const out of outputs) {
    const what = "dest" in out ? `${out.type} ${out.dest}` : out.type;
    const started = Date.now();
    opts.emit({ type: "export-start", what });
    const dest = "dest" in out && out.dest === "-" ? process.stdout : undefined;
    switch (out.type) {
      case "oci": {
        const layout = { ...refName(out.names ?? opts.tags), ...(opts.layoutAnnotations ?? {}) };
        if (out.tar) await writeOciArchive(image, dest ?? out.dest, layout);
        else await writeOciLayout(image, out.dest, layout);
        break;
      }
      case "docker":
        await writeDockerArchive(image, dest ?? out.dest, { tags: [...(out.names ?? opts.tags)] });
        break;
      case "load": {
        const env = opts.env ?? process.env;
        const engine = out.engine ?? selectLoadEngine(env);
        if (engine === "none") {
          if (env.TSBUILD_LOAD !== "none")
            opts.emit({
              type: "warning",
              rule: "LoadNoEngine",
              message:
                "--load: no docker daemon or podman found (set TSBUILD_LOAD=podman|docker); the image is in tsbuild's local image store only",
            });
          break;
        }
        await loadIntoEngine(image, engine, out.names ?? opts.tags, env, opts.signal);
        break;
      }
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

/**
 * The OCI index's name annotations for the first tag, as BuildKit's oci exporter writes them:
 * org.opencontainers.image.ref.name is the tag part, io.containerd.image.name the full name
 * (what `podman load` and `ctr import` name the image by).
 */
function refName(tags: readonly string[]): { refName?: string; imageName?: string } {
  const first = tags[0];
  if (first === undefined) return {};
  const ref = parseTag(first);
  return { refName: ref.tag ?? "latest", imageName: formatReference(ref) };
}
