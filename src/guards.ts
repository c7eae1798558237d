/** Type guards for values read from outside (JSON files, flags), so they are checked, not cast. */

/** A plain object whose fields are still unknown (JSON.parse's objects). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` is one of `choices` (a const tuple of string literals). */
export function isOneOf<T extends string>(choices: readonly T[], value: string): value is T {
  // Widening, not narrowing: a list of literals is a list of strings.
  return (choices as readonly string[]).includes(value);
}
