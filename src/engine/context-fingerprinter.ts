import { fingerprintFiles } from "../context/fingerprint";
import { PatternMatcher, type BuildContext, type ContextFile } from "../context";
import type { ContextFingerprinter } from "../planner/dispatch/inputs";

/**
 * The planner's view of the build context: fingerprints of what COPY/ADD sources select.
 * `COPY --exclude` patterns are matched against the paths as laid out under the destination,
 * and excluded entries are left out of the fingerprint, so editing them never changes a key.
 */
export function contextFingerprinter(context: BuildContext): ContextFingerprinter {
  return {
    async fingerprint(sources, { exclude, parents }) {
      const selected = context.resolveSources(sources, parents === true ? { parents } : {});
      if (exclude.length === 0) return context.fingerprint(selected);
      const files = excludeFiles(await context.files(selected), exclude);
      const digest = await fingerprintFiles(files);
      await context.saveStatCache();
      return digest;
    },
  };
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
