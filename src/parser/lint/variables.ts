/**
 * Names of the variables a word refers to (`$A`, `${B}`, `${C:-x}`), ignoring escaped dollars.
 * Enough for lint rules; real expansion is the shell package's job.
 */
export function referencedVariables(text: string, escapeToken = "\\"): string[] {
  const names: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === escapeToken) {
      i++;
      continue;
    }
    if (ch !== "$") continue;
    const match = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (match) names.push(match[1] ?? match[2]);
  }
  return names;
}

/** Arguments BuildKit defines automatically in the global scope (usable in FROM). */
export const PREDEFINED_PLATFORM_ARGS: ReadonlySet<string> = new Set([
  "BUILDPLATFORM",
  "BUILDOS",
  "BUILDARCH",
  "BUILDVARIANT",
  "TARGETPLATFORM",
  "TARGETOS",
  "TARGETARCH",
  "TARGETVARIANT",
]);
