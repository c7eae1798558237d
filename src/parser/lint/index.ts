import type { DockerfileError } from "../errors";
import type { ParseContext } from "../instructions/context";
import { ruleEnabled, type CheckOptions } from "./check-directive";
import { consistentInstructionCasing } from "./consistent-instruction-casing";
import { duplicateStageName } from "./duplicate-stage-name";
import { exposeInvalidFormat } from "./expose-invalid-format";
import { exposeProtoCasing } from "./expose-proto-casing";
import { fromAsCasing } from "./from-as-casing";
import { invalidDefinitionDescription } from "./invalid-definition-description";
import { fromPlatformFlagConstDisallowed } from "./from-platform-flag-const-disallowed";
import { jsonArgsRecommended } from "./json-args-recommended";
import { legacyKeyValueFormat } from "./legacy-key-value-format";
import { maintainerDeprecated } from "./maintainer-deprecated";
import { multipleInstructionsDisallowed } from "./multiple-instructions-disallowed";
import { noEmptyContinuation } from "./no-empty-continuation";
import { redundantTargetPlatform } from "./redundant-target-platform";
import { reservedStageName } from "./reserved-stage-name";
import { ruleUrl, type LintInput, type LintRule, type LintWarning } from "./rule";
import { secretsUsedInArgOrEnv } from "./secrets-used-in-arg-or-env";
import { stageNameCasing } from "./stage-name-casing";
import { undefinedArgInFrom } from "./undefined-arg-in-from";
import { workdirRelativePath } from "./workdir-relative-path";

export type { LintInput, LintRule, LintWarning } from "./rule";
export {
  DEFAULT_CHECK_OPTIONS,
  parseCheckDirective,
  ruleEnabled,
  type CheckOptions,
} from "./check-directive";

/** Every rule, in BuildKit's documentation order where it has one. */
export const LINT_RULES: readonly LintRule[] = [
  stageNameCasing,
  fromAsCasing,
  noEmptyContinuation,
  consistentInstructionCasing,
  duplicateStageName,
  reservedStageName,
  jsonArgsRecommended,
  maintainerDeprecated,
  undefinedArgInFrom,
  workdirRelativePath,
  multipleInstructionsDisallowed,
  legacyKeyValueFormat,
  redundantTargetPlatform,
  secretsUsedInArgOrEnv,
  fromPlatformFlagConstDisallowed,
  exposeProtoCasing,
  exposeInvalidFormat,
  invalidDefinitionDescription,
];

/** Runs the rules not skipped by `options`; warnings come sorted by position. */
export function lint(input: LintInput, options: CheckOptions): LintWarning[] {
  const warnings: LintWarning[] = [];
  for (const rule of LINT_RULES) {
    if (!ruleEnabled(options, rule)) continue;
    const url = ruleUrl(rule.name);
    rule.check(input, (span, message) => warnings.push({ rule: rule.name, message, span, url }));
  }
  return warnings.sort(
    (a, b) => a.span.start.line - b.span.start.line || a.span.start.column - b.span.start.column,
  );
}

/** check=error=true: all warnings as one error, located at the first. */
export function lintFailure(ctx: ParseContext, warnings: readonly LintWarning[]): DockerfileError {
  const list = warnings
    .map((w) => `  ${ctx.file}:${w.span.start.line}:${w.span.start.column}: ${w.rule}: ${w.message}`)
    .join("\n");
  const count = warnings.length === 1 ? "1 lint warning" : `${warnings.length} lint warnings`;
  return ctx.error(warnings[0].span, `${count} with check=error=true:\n${list}`);
}
