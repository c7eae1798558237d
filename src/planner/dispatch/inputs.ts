import type { ImageConfig } from "../../image/config";
import type { Platform } from "../../image/descriptor";

/** A base image the resolver found: its manifest digest and its config. */
export interface ResolvedImage {
  ref: string;
  digest: string;
  config: ImageConfig;
}

/** Finds base images (`FROM alpine`, `COPY --from=image`): registry, named contexts, local store. */
export interface ImageResolver {
  resolve(ref: string, platform: Platform): Promise<ResolvedImage>;
  /**
   * Whether a named context (`--build-context NAME=…`) replaces the stage called `name`: the
   * stage's FROM and instructions are then not used, `FROM name` and `--from=name` read the
   * context, as in BuildKit.
   */
  replacesStage?(name: string): boolean;
}

/** What COPY/ADD and bind mounts need from the build context at planning time. */
export interface ContextFingerprinter {
  /**
   * A fingerprint of exactly the files `sources` select (context-relative paths or patterns),
   * minus `exclude`: paths, types, modes, link targets and contents, never mtimes or host paths.
   * Throws a TsbuildError naming the source when one is missing or leaves the context.
   */
  fingerprint(
    sources: readonly string[],
    opts: { exclude: readonly string[]; parents?: boolean },
  ): Promise<string>;
}

/** What ADD <url> without --checksum keys on: the remote's current version. */
export interface UrlValidator {
  /** A string that changes when the content at `url` changes (ETag, Last-Modified + length). */
  validator(url: string): Promise<string>;
}

/** What every RUN step gets from the build's flags; part of their cache keys, as BuildKit's ExecOp. */
export interface RunDefaults {
  /** `--network`: the mode of RUN steps that do not set `--network` themselves. */
  network?: "default" | "none" | "host" | undefined;
  /** `--add-host` entries, in /etc/hosts order. */
  extraHosts?: readonly { host: string; ip: string }[] | undefined;
}

/** External inputs the planner reads; all access to the outside world goes through these. */
export interface PlanInputs {
  /** `--network` / `--add-host`: RUN keys change with them (a rebuild with other hosts reruns RUN). */
  run?: RunDefaults;
  images: ImageResolver;
  context: ContextFingerprinter;
  platform: Platform;
  /** Without it, ADD <url> without --checksum is keyed on the URL alone. */
  urls?: UrlValidator;
  /** Whether .dockerignore leaves out a context path (the CopyIgnoredFile check); none: not checked. */
  isIgnored?: (path: string) => boolean;
}
