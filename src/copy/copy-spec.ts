/**
 * What one COPY or ADD does, as src/copy needs it: the copy module's own input, so it depends on
 * no planner type. The engine maps a planned CopyStep to it (src/engine/copy-spec.ts).
 */
export interface CopySpec {
  /** The instruction as written, after expansion; errors name it ("COPY --from=build /out /app"). */
  display: string;
  instruction: "COPY" | "ADD";
  source: CopySpecSource;
  /** Source paths or patterns (context- or rootfs-relative; URLs for ADD). */
  sources: readonly string[];
  /** Absolute destination; ends with "/" when it names a directory. */
  dest: string;
  /** `--chown` as written (user[:group], names or ids), resolved in the destination stage. */
  chown?: string | undefined;
  /** `--chmod` as written (octal or symbolic). */
  chmod?: string | undefined;
  /** `--parents`: keep each source's path below its pivot. */
  parents: boolean;
  /** `--exclude` patterns (.dockerignore syntax), matched against paths as laid out under `dest`. */
  exclude: readonly string[];
  /** ADD --checksum for URL sources. */
  checksum?: string | undefined;
  /** ADD --unpack: undefined = the default (local archives extract, URLs do not). */
  unpack?: boolean | undefined;
}

/** Where the sources are read: which of CopyInputs' trees (or the spec itself) provides them. */
export type CopySpecSource =
  | { kind: "context" }
  | { kind: "stage"; stage: number }
  | { kind: "image"; ref: string }
  | { kind: "heredoc"; files: readonly { name: string; content: string }[] }
  | { kind: "url" };
