import { UsageError } from "../errors";
import type { Platform } from "../image/descriptor";
import { formatPlatform, parsePlatform } from "../planner/platform";
import type { OutputSpec } from "./output-spec";
import { isOneOf } from "../guards";

/** Where an annotation goes, as buildx names it. */
export type AnnotationTarget = "manifest" | "index" | "manifest-descriptor" | "index-descriptor";

/** One `--annotation`: `[TYPES[PLATFORM]:]KEY=VALUE` (buildx syntax), parsed. */
export interface AnnotationSpec {
  /** Default (no prefix): the manifest, as buildx does. */
  target: AnnotationTarget;
  /** `manifest[linux/arm64]:k=v`: only the image of this platform. */
  platform?: string;
  key: string;
  value: string;
}

const TARGETS: readonly AnnotationTarget[] = ["manifest", "index", "manifest-descriptor", "index-descriptor"];
// buildx's key pattern: a list of types, an optional [platform], then ':'.
const PREFIX = /^([A-Za-z-]+(?:,[A-Za-z-]+)*)(?:\[([^\]]*)\])?:(.*)$/s;

/**
 * Parses `--annotation` values: `key=value`, `manifest:key=value`, `index:key=value`,
 * `manifest-descriptor:`, `index-descriptor:`, several types at once (`index,manifest:k=v`) and a
 * platform (`manifest[linux/amd64]:k=v`). A bad type or a missing `=` is a usage error.
 */
export function parseAnnotation(text: string): AnnotationSpec[] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--annotation: "${text}" is not [TYPE:]KEY=VALUE`);
  const left = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const m = PREFIX.exec(left);
  if (m === null) return [{ target: "manifest", key: left, value }];
  const [, typeList = "", platformText, key = ""] = m;
  if (key === "") throw new UsageError(`--annotation: "${text}" has no key after the "${typeList}:" prefix`);
  let platform: string | undefined;
  if (platformText !== undefined) {
    try {
      platform = formatPlatform(parsePlatform(platformText));
    } catch {
      throw new UsageError(
        `--annotation: "${platformText}" in "${text}" is not a platform (os/arch[/variant])`,
      );
    }
  }
  return typeList.split(",").map((t) => {
    const target = t.toLowerCase();
    if (!isOneOf(TARGETS, target))
      throw new UsageError(`--annotation: unknown type "${t}" in "${text}" (expected ${TARGETS.join(", ")})`);
    return {
      target,
      ...(platform !== undefined ? { platform } : {}),
      key,
      value,
    };
  });
}

/** The annotations of a single-platform build, by place; later values of a key win. */
export interface ResolvedAnnotations {
  manifest: Record<string, string>;
  /** index.json's own annotations (OCI layouts and archives). */
  index: Record<string, string>;
  /** The manifest's descriptor in index.json. */
  descriptor: Record<string, string>;
}

/**
 * Sorts annotations by where they land for an image of `platform`. A single-platform image has
 * no image index of its own: `index-descriptor` annotations, and `index`/`manifest-descriptor`
 * ones when no output writes an OCI layout, have nowhere to go and are reported by `warn`.
 */
export function resolveAnnotations(
  specs: readonly AnnotationSpec[],
  platform: Platform,
  outputs: readonly OutputSpec[],
  warn: (message: string) => void,
): ResolvedAnnotations {
  const out: ResolvedAnnotations = { manifest: {}, index: {}, descriptor: {} };
  const own = formatPlatform(platform);
  const layout = outputs.some((o) => o.type === "oci");
  for (const a of specs) {
    if (a.platform !== undefined && a.platform !== own) continue;
    switch (a.target) {
      case "manifest":
        out.manifest[a.key] = a.value;
        break;
      case "index":
      case "manifest-descriptor":
        if (!layout) {
          warn(
            `--annotation ${a.target}:${a.key}: a single-platform image has no index; only an OCI output (-o type=oci) carries it`,
          );
          break;
        }
        (a.target === "index" ? out.index : out.descriptor)[a.key] = a.value;
        break;
      case "index-descriptor":
        warn(
          `--annotation index-descriptor:${a.key}: a single-platform image has no index descriptor; ignored`,
        );
        break;
    }
  }
  return out;
}
