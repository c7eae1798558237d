/**
 * Variable expansion for Dockerfile instructions: BuildKit's `frontend/dockerfile/shell` lexer
 * re-done in TypeScript. Text in, expanded text (or words) out, plus the names it referenced.
 *
 * It matches BuildKit on BuildKit's envVarTest/wordsTest vectors and Go tests, quirks included
 * (a pattern's `*` and `?` do not match "\n"; `${v//p/r}` expands `$0`/`$$` in r like Go's
 * ReplaceAllString; a backslash before an ordinary character in double quotes is doubled with
 * rawEscapes). Deliberate differences: skipUnsetEnv keeps `${v//p/r}` with both slashes;
 * `${...}` nesting is capped at MAX_NESTING levels, an expanded word at MAX_EXPANDED_LENGTH
 * characters and its pattern matching at MAX_MATCH_STEPS; an empty name (`${+x}`) is not reported as
 * unmatched; error messages name the construct and carry its offset.
 */
export { processWord, processWords, processWordWithMatches, type ProcessWordResult } from "./process-word";
export { type ShellEnv } from "./env";
export { type ShellOptions, MAX_EXPANDED_LENGTH, MAX_MATCH_STEPS } from "./options";
export { ShellExpansionError } from "./errors";
export { MAX_NESTING } from "./lexer";
