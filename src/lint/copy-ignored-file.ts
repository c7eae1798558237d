import type { Dockerfile } from "../parser/load";
import type { LintWarning } from "../parser/lint";
import { ruleUrl } from "../parser/lint/rule";
import { BUILD_RULES } from "./rules";

/** Sources ADD fetches itself rather than from the context. */
const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@)/i;

/**
 * COPY/ADD of a context path that .dockerignore leaves out: the build would fail on it (or copy
 * less than meant). Sources with variables or wildcards are not judged here.
 */
export function copyIgnoredFile(dockerfile: Dockerfile, isIgnored: (path: string) => boolean): LintWarning[] {
  const warnings: LintWarning[] = [];
  for (const stage of dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.kind !== "COPY" && instruction.kind !== "ADD") continue;
      if (instruction.kind === "COPY" && instruction.from !== undefined) continue;
      const command = instruction.kind === "COPY" ? "Copy" : "Add";
      for (const source of instruction.sources) {
        const text = source.value;
        if (REMOTE.test(text) || /[$*?[]/.test(text)) continue;
        const clean = cleanContextPath(text);
        if (clean === "" || !isIgnored(clean)) continue;
        warnings.push({
          rule: "CopyIgnoredFile",
          message: BUILD_RULES.CopyIgnoredFile.format(command, text),
          span: source.span,
          url: ruleUrl("CopyIgnoredFile"),
        });
      }
    }
  }
  return warnings;
}

/** `./a//b/` → `a/b`: the form the ignore patterns are matched against. */
function cleanContextPath(text: string): string {
  const parts: string[] = [];
  for (const part of text.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}
