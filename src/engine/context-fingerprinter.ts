import { PatternMatcher, type BuildContext, type ContextFile } from "../context";
import type { ContextFingerprinter } from "../planner/dispatch/inputs";

/**
 * The planner's view of the build context: fingerprints of what COPY/ADD sources select.
 * `COPY --exclude` patterns are matched against the paths as laid out under the destination,
 * and excluded entries are left out of the fingerprint, so editing them never changes a key.
 */
export function contextFingerprinter(context: BuildContext): ListingFingerprinter {
  // The files behind each fingerprint, listed only when a miss is explained or recorded.
  const selections = new Map<string, readonly ContextFile[]>();
  return {
    async fingerprint(sources, { exclude, parents }) {
      const selected = context.resolveSources(sources, parents === true ? { parents } : {});
      const all = await context.files(selected);
      const files = exclude.length === 0 ? all : excludeFiles(all, exclude);
      const digest = await context.fingerprintOf(files);
      if (files.length <= MAX_LISTED_FILES) selections.set(digest, files);
      return digest;
    },
    async listing(fingerprint) {
      const files = selections.get(fingerprint);
      return files === undefined ? undefined : listFiles(files);
    },
  };
}

/** A fingerprinter that also tells which files were behind each fingerprint it returned. */
export interface ListingFingerprinter extends ContextFingerprinter {
  /** Context path → "type mode content" of the files `fingerprint` covers; none past the cap. */
  listing(fingerprint: string): Promise<Record<string, string> | undefined>;
}

/** Larger selections are explained by their fingerprint alone, to keep step records small. */
const MAX_LISTED_FILES = 20_000;

/** One line per file, by context path: what the fingerprint hashes of it (no mtimes, owners). */
async function listFiles(files: readonly ContextFile[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of files) {
    const mode = f.mode.toString(8).padStart(4, "0");
    let detail = "";
    if (f.type === "file") detail = `xxh64:${(await f.contentHash()) ?? ""}`;
    else if (f.type === "symlink") detail = `-> ${f.linkTarget ?? ""}`;
    else if (f.devmajor !== undefined) detail = `${f.devmajor},${f.devminor ?? 0}`;
    out[f.contextPath] = `${f.type} ${mode}${detail === "" ? "" : ` ${detail}`}`;
  }
  return out;
}

/** The files not matched by `patterns` (a matched directory excludes everything below it). */
export function excludeFiles(files: readonly ContextFile[], patterns: readonly string[]): ContextFile[] {
  const matcher = new PatternMatcher(patterns);
  const results = new Map<string, { excluded: boolean; results: boolean[] }>();
  const verdict = (p: string): { excluded: boolean; results: boolean[] } => {
    const known = results.get(p);
    if (known) return known;
    const slash = p.lastIndexOf("/");
    const parent = slash < 0 ? undefined : verdict(p.slice(0, slash));
    const v = parent?.excluded && !matcher.hasExclusions ? parent : matcher.match(p, parent?.results);
    results.set(p, v);
    return v;
  };
  const excludedDir = (p: string): boolean => {
    for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1))
      if (verdict(p.slice(0, i)).excluded) return true;
    return false;
  };
  return files.filter((f) => f.path === "." || (!verdict(f.path).excluded && !excludedDir(f.path)));
}
