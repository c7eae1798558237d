import type { Dockerfile } from "../parser/load";
import type { LintWarning } from "../parser/lint";
import { processWord, type ShellEnv } from "../parser/shell";
import { tryParseReference } from "../registry/reference";
import { ruleUrl } from "../parser/lint/rule";
import { BUILD_RULES } from "./rules";

/**
 * With only the global ARGs' defaults (no --build-arg), does every FROM still name an image? A
 * `FROM alpine:$VERSION` whose `ARG VERSION` has no default builds only when the caller passes it.
 */
export function invalidDefaultArgInFrom(
  dockerfile: Dockerfile,
  platformArgs: Readonly<Record<string, string>>,
): LintWarning[] {
  const escapeToken = dockerfile.ast.escapeToken === "`" ? "`" : "\\";
  const env = new Map<string, string>(Object.entries(platformArgs));
  const expand = (text: string, vars: ShellEnv): string | undefined => {
    try {
      return processWord(text, vars, { escapeToken });
    } catch {
      return undefined; // a malformed word is the parser's or planner's error to report
    }
  };
  for (const arg of dockerfile.metaArgs) {
    for (const decl of arg.args) {
      if (decl.defaultValue === undefined) continue;
      const value = expand(decl.defaultValue, env);
      if (value !== undefined) env.set(decl.name, value);
    }
  }
  const stageNames = new Set(dockerfile.stages.flatMap((s) => (s.name !== undefined ? [s.name] : [])));
  const warnings: LintWarning[] = [];
  for (const { from } of dockerfile.stages) {
    if (!from.baseName.includes("$")) continue;
    const name = expand(from.baseName, env);
    if (name === undefined) continue;
    const valid =
      name !== "" &&
      (name === "scratch" ||
        stageNames.has(name.toLowerCase()) ||
        tryParseReference(name, { defaultTag: true }) !== undefined);
    if (!valid) {
      warnings.push({
        rule: "InvalidDefaultArgInFrom",
        message: BUILD_RULES.InvalidDefaultArgInFrom.format(from.baseName),
        span: from.span,
        url: ruleUrl("InvalidDefaultArgInFrom"),
      });
    }
  }
  return warnings;
}
