/**
 * Build checks beyond the parser's lint rules (src/parser/lint): the ones that need build inputs.
 * In: a loaded Dockerfile plus what the build knows (platform args, the .dockerignore rules).
 * Out: LintWarnings in the parser's shape, filtered by the Dockerfile's `# check=` directive.
 * UndefinedVar and InvalidBaseImagePlatform are reported by the planner, which expands variables
 * and resolves base images; their messages live in `rules.ts` with the others.
 */
import type { Dockerfile } from "../parser/load";
import { ruleEnabled, type LintWarning } from "../parser/lint";
import { copyIgnoredFile } from "./copy-ignored-file";
import { invalidDefaultArgInFrom } from "./invalid-default-arg-in-from";
import { BUILD_RULES } from "./rules";

export { ALL_RULES, BUILD_RULES, ruleInfo, type BuildRuleName, type RuleInfo } from "./rules";

export interface BuildCheckInputs {
  /** BUILDPLATFORM, TARGETARCH, ...: defined in FROM lines without being declared. */
  platformArgs: Readonly<Record<string, string>>;
  /** Whether the context's .dockerignore leaves out a (clean, relative) path, for CopyIgnoredFile. */
  isIgnored?: (path: string) => boolean;
}

export function buildChecks(dockerfile: Dockerfile, inputs: BuildCheckInputs): LintWarning[] {
  const enabled = (name: keyof typeof BUILD_RULES): boolean =>
    ruleEnabled(dockerfile.checks, { name, ...BUILD_RULES[name] });
  const out: LintWarning[] = [];
  if (enabled("InvalidDefaultArgInFrom"))
    out.push(...invalidDefaultArgInFrom(dockerfile, inputs.platformArgs));
  if (enabled("CopyIgnoredFile") && inputs.isIgnored !== undefined)
    out.push(...copyIgnoredFile(dockerfile, inputs.isIgnored));
  return out;
}

/** Sorts warnings by position, as `--call check` lists them. */
export function byPosition(warnings: LintWarning[]): LintWarning[] {
  return warnings.sort(
    (a, b) => a.span.start.line - b.span.start.line || a.span.start.column - b.span.start.column,
  );
}
