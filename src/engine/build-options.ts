import type { DownloadLimits } from "../net/limits";
import type { ImageConfig } from "../image/config";
import type { OciManifest } from "../image/manifest";
import type { ProcessLimit } from "../executor/run-spec";
import type { SshSpec } from "./ssh-agents";
import type { Compression } from "../image/media-types";
import type { OutputSpec } from "./output-spec";
import type { AnnotationSpec } from "./annotations";
import type { NamedContext } from "./named-contexts";
import type { BuildEventListener } from "./progress";
import type { StepOutcome } from "./stage-result";
import type { AttestSpec } from "./attestations";
import type { CacheExportSpec, CacheImportSpec, RemoteCacheReport } from "./remote-cache";

/** Options of one build, named after `docker build` / `buildx build` flags. */
export interface BuildOptions {
  /** The build context directory (`CONTEXT` argument). */
  context: string;
  /** Path of the Dockerfile (`-f`); default `<context>/Dockerfile`. */
  dockerfile?: string;
  /** Dockerfile text given directly (`-f -`); wins over `dockerfile`. */
  dockerfileText?: string;
  /** `-t name:tag`, any number; the image is recorded under each in the local image index. */
  tags?: string[];
  /** `--build-arg K=V`. */
  buildArgs?: Record<string, string>;
  /** `--target`: the stage to build (default: the last). */
  target?: string;
  /** `--no-cache`: run every step, ignoring (but refreshing) the cache. */
  noCache?: boolean;
  /** `--no-cache-filter`: stages (by name or index) whose steps run again, ignoring the cache. */
  noCacheFilter?: string[];
  /** `--label K=V` added to the image config. */
  labels?: Record<string, string>;
  /**
   * `--platform os/arch[/variant]`, or several (comma-separated, or a list): each is built and the
   * image is an OCI image index with one manifest per platform. Normalised as containerd does
   * (`arm64` → linux/arm64, `linux/arm` → linux/arm/v7); an unknown OS or architecture is a
   * UsageError. Default: the host's.
   */
  platform?: string | readonly string[];
  /** `-o type=...`; the image is always stored in the local image store as well. */
  outputs?: OutputSpec[];
  /** Cache directory (`--cache-dir`); default `$TSBUILD_CACHE_DIR`, `$XDG_CACHE_HOME/tsbuild`, `~/.cache/tsbuild`. */
  cacheDir?: string;
  /**
   * `--attest` / `--provenance` / `--sbom`: attestations stored beside the image in OCI outputs
   * (an attestation manifest in the image index, as BuildKit stores them).
   */
  attest?: AttestSpec[];
  /**
   * Layer compression of image outputs and pushes (`--compression`; an output's own
   * `compression=` wins), default gzip. Layers are cached uncompressed and compressed on the
   * first export that needs them; the local store (`-t` alone) keeps them uncompressed.
   */
  compression?: Compression;
  /** `compression-level`: gzip 0-9 (default 6), zstd 0-22 (default 3). */
  compressionLevel?: number;
  /** `force-compression`: recompress base-image layers pulled in another compression too. */
  forceCompression?: boolean;
  /** Steps run at once (`--jobs`); default twice the number of cores, at least 4 (see defaultJobs). */
  jobs?: number;
  /** SOURCE_DATE_EPOCH (seconds) for reproducible output; default from the env or build arg. */
  sourceDateEpoch?: number;
  /** Cancels the build; running steps are killed and nothing half-done is cached. */
  signal?: AbortSignal;
  /** Progress events, in order. */
  onEvent?: BuildEventListener;
  /** `--secret`: values RUN --mount=type=secret can read; never stored in a layer, key or history. */
  secrets?: BuildSecret[];
  /** `--pull`: resolve base images from their registry even when the local store has the name. */
  pull?: boolean;
  /** `--insecure-registry`: hosts that may be reached over plain HTTP (loopback always may). */
  insecureRegistries?: string[];
  /**
   * `--cache-from type=local,src=DIR` / `type=registry,ref=R`: caches a step is looked up in (one
   * manifest read) when this machine's cache misses; a hit's layer blob is fetched (verified) only
   * when the build reads it. Cache mounts they carry are restored before their first use.
   */
  cacheFrom?: CacheImportSpec[];
  /**
   * `--cache-to type=local,dest=DIR` / `type=registry,ref=R` with `mode=min|max`, `cache-mounts=`
   * and `cache-mounts-max-size=`: this build's steps (each its own artifact) and opted-in cache
   * mounts, exported after it.
   */
  cacheTo?: CacheExportSpec[];
  /**
   * Network limits (`--network-timeout`, `--network-low-speed-limit`, `--network-max-time`,
   * `--max-download-size`); unset ones come from their TSBUILD_* variable in `env`, else defaults.
   */
  network?: Partial<DownloadLimits>;
  /** Environment for `--build-arg NAME` without a value and SOURCE_DATE_EPOCH (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * `--allow`: entitlements a Dockerfile may use. `network.host` for `RUN --network=host`,
   * `security.insecure` for `RUN --security=insecure`; without them those steps are refused.
   */
  allow?: Entitlement[];
  /** `--runtime`: the OCI runtime RUN steps use ("runc", "crun" or "auto"; default runc). */
  runtime?: string;
  /** Processes at most in one RUN container (default 4096; 0 = unlimited). */
  pidsLimit?: number;
  /** `--ulimit`: resource limits of RUN processes. */
  ulimits?: ProcessLimit[];
  /**
   * `--isolation`: "auto" (default: real root as root, a user namespace otherwise), "root", or
   * "rootless" (a user namespace even as root).
   */
  isolation?: "auto" | "root" | "rootless";
  /** `--ssh`: SSH agents (sockets) or private keys RUN --mount=type=ssh can use, by id. */
  ssh?: SshSpec[];
  /** `--annotation`: manifest (default), index and descriptor annotations (see parseAnnotation). */
  annotations?: AnnotationSpec[];
  /**
   * `--network`: the network of RUN steps without `--network=` ("default", "none", or "host",
   * which needs the network.host entitlement). Default "default".
   */
  networkMode?: "default" | "none" | "host";
  /** `--add-host host:ip`: extra lines of every RUN container's /etc/hosts. */
  addHosts?: { host: string; ip: string }[];
  /** `--shm-size`: size of /dev/shm in RUN containers, in bytes (default 64 MiB). */
  shmSize?: number;
  /** `--build-context name=...`: what `FROM name` and `COPY --from=name` read. */
  buildContexts?: NamedContext[];
}

export type Entitlement = "network.host" | "security.insecure";

/** A secret for RUN --mount=type=secret,id=ID: read from a file or an environment variable. */
export type BuildSecret = { id: string; src: string } | { id: string; env: string };

/** What a finished build produced. */
export interface BuildResult {
  /** Digest of the image manifest (what registries and `docker images --digests` show). */
  digest: string;
  /** Digest of the config blob (the image ID). */
  configDigest: string;
  manifest: OciManifest;
  config: ImageConfig;
  /** Every layer step, in the order it finished. */
  steps: StepOutcome[];
  /** Outputs written, as given. */
  outputs: OutputSpec[];
  warnings: { rule: string; message: string; line?: number }[];
  durationMs: number;
  /**
   * Multi-platform builds only: `digest` is then the image index's (mediaType says so) and
   * `manifest`/`config`/`configDigest` are the first platform's; each platform's are here.
   */
  platforms?: PlatformBuildResult[];
  mediaType?: string;
  /** With --cache-from/--cache-to: remote hits, requests and blobs moved, cache mounts restored/exported. */
  remoteCache?: RemoteCacheReport;
}

/** One platform's image of a multi-platform build. */
export interface PlatformBuildResult {
  /** Normalised, e.g. "linux/arm64", "linux/arm/v7". */
  platform: string;
  digest: string;
  configDigest: string;
  manifest: OciManifest;
  config: ImageConfig;
}
